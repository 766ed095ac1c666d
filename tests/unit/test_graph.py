"""The build graph: parents, order, selection, inherited frameworks, upstream externals."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtool.errors import UsageError
from buildtool.graph import build_graph
from buildtool.matrix import Matrix, load_matrix
from tests.unit.matrices import MINI_DIR, MINI_MATRIX, MINI_TEMPLATES


def test_local_graph_builds_root_and_stacks_before_images(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    order = list(graph.targets)
    for target in graph.targets.values():
        if target.parent is not None:
            assert order.index(target.parent) < order.index(target.name)
    assert order[0] == mini_matrix.root.name
    assert all(t.built for t in graph.targets.values())


def test_targets_keep_the_matrix_order_where_parents_allow(tmp_path: Path) -> None:
    """dash-all is listed before its parent dash-py here: it moves after it, the others keep their places."""
    text = MINI_MATRIX.read_text()
    py, all_ = text.index("  dash-py:\n"), text.index("  dash-all:\n")
    end = text.index("hub:\n")
    swapped = text[:py] + text[all_:end] + text[py:all_] + text[end:]
    path = tmp_path / "matrix.yaml"
    path.write_text(swapped)
    for part in MINI_TEMPLATES:
        (tmp_path / part).symlink_to(MINI_DIR / part)
    matrix = load_matrix(path)
    assert list(matrix.images) == ["dash-all", "dash-py"]
    assert list(build_graph(matrix, "local").targets) == [
        "mini-root", "py-stack", "r-stack", "mini-hub", "dash-py", "dash-all"]


def test_upstream_graph_pulls_root_and_stacks(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "upstream")
    external = {t.name for t in graph.targets.values() if not t.built}
    assert external == {"mini-root", "py-stack", "r-stack"}
    assert graph.targets["py-stack"].external == "quay.io/example/py-stack:2026-01-05"
    assert [t.name for t in graph.select(["all"])] == ["mini-hub", "dash-py", "dash-all"]


def test_selecting_one_image_brings_its_ancestors_in_order(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    order = [t.name for t in graph.with_ancestors(graph.select(["dash-all"]))]
    assert order == ["mini-root", "py-stack", "r-stack", "dash-py", "dash-all"]


def test_images_inherit_frameworks_from_their_parent_image(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    assert graph.frameworks("dash-all") == ("widget", "shiny")
    assert graph.targets["dash-all"].frameworks == ("shiny",)  # what it adds
    assert graph.stack_of("dash-all").name == "r-stack"  # type: ignore[union-attr]


def test_unknown_target_names_the_known_ones(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    with pytest.raises(UsageError, match=r"unknown target nope \(known: mini-root, py-stack, .*dash-all, or all\)"):
        graph.select(["nope"])
