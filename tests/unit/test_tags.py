"""Tags and references from the tag policy and the frameworks' tags."""

from __future__ import annotations

from buildtool.buildinfo import BuildInfo
from buildtool.graph import build_graph
from buildtool.matrix import Matrix
from buildtool.tags import all_refs, parent_ref, primary_ref

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-25")


def test_image_tags_follow_the_policy_then_the_frameworks(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    refs = all_refs(graph, graph.targets["containds-rshiny"], INFO, image_values={"python": "3.11"})
    v = matrix.versions
    repo = "containds/containds-rshiny"
    assert refs == (
        f"{repo}:{v['cdsdashboards']}",
        f"{repo}:hub-{v['jupyterhub']}",
        f"{repo}:python-3.11",
        f"{repo}:0123456789ab",
        f"{repo}:2026-11-25",
        f"{repo}:voila-{v['voila']}",  # inherited from jh-voila-oauth-r
        f"{repo}:r-shiny-{v['r-shiny']}",
    )


def test_tags_needing_an_unknown_value_are_left_out(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    refs = all_refs(graph, graph.targets["jh-voila-oauth-r"], BuildInfo(git_sha=None, build_date="2026-11-25"))
    assert not any("None" in ref or "{" in ref for ref in refs)
    assert not any(":python-" in ref for ref in refs)  # only known once the image is built
    assert len(refs) == len(matrix.tags.images) - 2 + len(matrix.frameworks["voila"].tags)


def test_parents_are_referred_to_by_their_primary_tag(matrix: Matrix) -> None:
    local = build_graph(matrix, "local")
    hub = matrix.versions["jupyterhub"]
    assert parent_ref(local, local.targets["jh-voila-oauth-r"]) == f"containds/r-notebook:hub-{hub}"
    upstream = build_graph(matrix, "upstream")
    assert parent_ref(upstream, upstream.targets["jh-voila-oauth-r"]) == matrix.stacks["r-notebook"].upstream


def test_other_registries_prefix_the_repository(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    refs = all_refs(graph, graph.targets["containds-hub"], INFO, registry="127.0.0.1:5000")
    assert refs and all(ref.startswith("127.0.0.1:5000/containds/containds-hub:") for ref in refs)
    assert primary_ref(matrix, graph.targets["containds-hub"]).startswith("containds/containds-hub:")
