"""The project's matrix.yaml: it loads on every JupyterHub line and keeps the invariants its images rely on. Nothing
here names its images or versions, or counts them: adding a line, an image or a framework keeps these true."""

from __future__ import annotations

import pytest

from buildtool import installed
from buildtool.buildinfo import BuildInfo
from buildtool.graph import Graph, build_graph
from buildtool.matrix import SOURCES, Matrix, load_matrix
from buildtool.schema import PLACEHOLDER
from buildtool.tags import all_refs, primary_ref
from tests.unit.matrices import LIVE_MATRIX

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-26")


def _graphs(matrix: Matrix, source: str) -> list[Graph]:
    """The graph of every line of the matrix, the default first."""
    return [build_graph(load_matrix(LIVE_MATRIX, line), source) for line in matrix.lines]


def test_every_line_loads_with_the_same_hierarchy(live_matrix: Matrix) -> None:
    graphs = _graphs(live_matrix, "local")
    assert graphs[0].matrix.default_line and not any(g.matrix.default_line for g in graphs[1:])
    assert len({tuple(g.targets) for g in graphs}) == 1
    assert [g.matrix.versions["jupyterhub"] for g in graphs] == list(live_matrix.lines)


@pytest.mark.parametrize("source", SOURCES)
def test_every_image_descends_from_a_stack(live_matrix: Matrix, source: str) -> None:
    graph = build_graph(live_matrix, source)
    for name in live_matrix.images:
        stack = graph.stack_of(name)
        assert stack is not None, f"{name} is not built on a stack"
        assert graph.chain(name)[-1].name == live_matrix.root.name


def test_the_hub_spawns_one_of_the_images_with_one_launcher_per_presentation_type(live_matrix: Matrix) -> None:
    assert live_matrix.hub.singleuser_image in live_matrix.images
    assert build_graph(live_matrix, "local").targets[live_matrix.hub.singleuser_image].kind == "image"
    types = [fw.presentation_type for fw in live_matrix.frameworks.values() if fw.presentation_type]
    assert len(types) == len(set(types)), "two frameworks configure one presentation type's launcher"


def test_framework_tags_read_only_what_the_image_has(live_matrix: Matrix) -> None:
    for framework in live_matrix.frameworks.values():
        for template in framework.tags:
            assert all(installed.PACKAGE_PLACEHOLDER.fullmatch(name) for name in PLACEHOLDER.findall(template)), (
                f"frameworks.{framework.name}: {template} claims a version the image did not report")


def test_parents_are_named_by_pinned_tags_and_lines_never_share_a_tag(live_matrix: Matrix) -> None:
    default, *others = _graphs(live_matrix, "local")
    for graph in (default, *others):
        for target in graph.targets.values():
            assert "{" not in primary_ref(graph.matrix, target)
    for other in others:
        for name, target in default.targets.items():
            if target.kind == "root":
                continue  # Debian's root is the same on every line
            shared = set(all_refs(default, target, INFO)) & set(all_refs(other, other.targets[name], INFO))
            assert not shared, f"{name}: JupyterHub {default.matrix.line} and {other.matrix.line} both push {shared}"
