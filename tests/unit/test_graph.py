"""The build graph: parents, order, selection, inherited frameworks, upstream externals."""

from __future__ import annotations

import pytest

from buildtool.errors import UsageError
from buildtool.graph import build_graph
from buildtool.matrix import Matrix


def test_local_graph_builds_root_and_stacks_before_images(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    order = list(graph.targets)
    for target in graph.targets.values():
        if target.parent is not None:
            assert order.index(target.parent) < order.index(target.name)
    assert order[0] == matrix.root.name
    assert all(t.built for t in graph.targets.values())


def test_upstream_graph_pulls_root_and_stacks(matrix: Matrix) -> None:
    graph = build_graph(matrix, "upstream")
    external = {t.name for t in graph.targets.values() if not t.built}
    assert external == {matrix.root.name, *matrix.stacks}
    assert graph.targets["base-notebook"].external == matrix.stacks["base-notebook"].upstream
    built = [t.name for t in graph.select(["all"])]
    assert set(built) == {*matrix.images, matrix.hub.name}


def test_selecting_one_image_brings_its_ancestors_in_order(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    order = [t.name for t in graph.with_ancestors(graph.select(["containds-rshiny"]))]
    assert order == ["debian-root", "foundation", "base-notebook", "r-notebook", "jh-voila-oauth-r",
                     "containds-rshiny"]


def test_all_images_inherit_frameworks_from_their_parent_image(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    assert graph.frameworks("containds-allr-datascience") == (
        "singleuser", "voila", "streamlit", "dash", "bokeh", "panel", "rshiny")
    assert graph.stack_of("containds-allr-datascience").name == "datascience-notebook"  # type: ignore[union-attr]


def test_unknown_target_names_the_known_ones(matrix: Matrix) -> None:
    graph = build_graph(matrix, "local")
    with pytest.raises(UsageError, match=r"unknown target nope .*containds-rshiny"):
        graph.select(["nope"])
