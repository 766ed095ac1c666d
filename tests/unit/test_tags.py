"""Tags and references from the tag policy."""

from __future__ import annotations

from buildtool.graph import build_graph
from buildtool.matrix import Matrix
from buildtool.tags import BuildInfo, all_refs, parent_ref, primary_ref


def test_image_tags_follow_the_policy(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    info = BuildInfo(git_sha="0123456789ab", build_date="2026-11-25")
    refs = all_refs(matrix, graph.targets["containds-allr-datascience"], info)
    cds, hub = matrix.versions["cdsdashboards"], matrix.versions["jupyterhub"]
    assert refs == (
        f"containds/containds-allr-datascience:{cds}",
        f"containds/containds-allr-datascience:hub-{hub}",
        "containds/containds-allr-datascience:0123456789ab",
        "containds/containds-allr-datascience:2026-11-25",
    )


def test_tags_needing_an_unknown_commit_are_left_out(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    refs = all_refs(matrix, graph.targets["jh-voila-oauth-r"], BuildInfo(git_sha=None, build_date="2026-11-25"))
    assert not any(ref.endswith(":None") for ref in refs)
    assert len(refs) == len(matrix.tags.images) - 1


def test_parents_are_referred_to_by_their_primary_tag(matrix: Matrix) -> None:
    local = build_graph(matrix, "local")
    hub = matrix.versions["jupyterhub"]
    assert parent_ref(local, local.targets["jh-voila-oauth-r"]) == f"containds/r-notebook:hub-{hub}"
    upstream = build_graph(matrix, "upstream")
    assert parent_ref(upstream, upstream.targets["jh-voila-oauth-r"]) == matrix.stacks["r-notebook"].upstream


def test_other_registries_prefix_the_repository(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    info = BuildInfo(git_sha=None, build_date="2026-11-25")
    refs = all_refs(matrix, graph.targets["containds-hub"], info, registry="127.0.0.1:5000")
    assert all(ref.startswith("127.0.0.1:5000/containds/containds-hub:") for ref in refs)
    assert primary_ref(matrix, graph.targets["containds-hub"]).startswith("containds/containds-hub:")
