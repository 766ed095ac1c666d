"""JupyterHub lines: one hierarchy, built once per line; the default line alone gets the plain release tags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from buildtool.buildinfo import BuildInfo
from buildtool.errors import UsageError
from buildtool.graph import build_graph
from buildtool.layout import BuildDir
from buildtool.matrix import Matrix, load_matrix
from buildtool.render import render_all
from buildtool.tags import all_refs, primary_ref
from tests.conftest import MATRIX_PATH, PROJECT_DIR

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-26")


def test_the_first_line_is_the_default(matrix: Matrix) -> None:
    assert matrix.line == matrix.lines[0] and matrix.default_line
    other = load_matrix(MATRIX_PATH, matrix.lines[1])
    assert other.versions["jupyterhub"] == matrix.lines[1] and not other.default_line


def test_every_built_target_exists_on_each_line_under_its_own_tags(matrix: Matrix) -> None:
    graphs = [build_graph(load_matrix(MATRIX_PATH, line), "local") for line in matrix.lines]
    assert len({tuple(g.targets) for g in graphs}) == 1  # the same hierarchy
    default, other = graphs
    for name, target in default.targets.items():
        mine, theirs = set(all_refs(default, target, INFO)), set(all_refs(other, other.targets[name], INFO))
        if target.kind == "root":
            assert mine == theirs  # Debian's root is the same on every line
            continue
        assert not mine & theirs, f"{name}: both lines would push {mine & theirs}"
        assert theirs == {f"containds/{name}:hub-{other.matrix.line}"}
        assert f"containds/{name}:hub-{default.matrix.line}" in mine
    assert primary_ref(default.matrix, default.targets["containds-all-basic"]) == "containds/containds-all-basic:0.6.3"


def test_a_line_renders_its_own_jupyterhub_on_its_own_parents(matrix: Matrix, tmp_path: Path) -> None:
    other = load_matrix(MATRIX_PATH, matrix.lines[1])
    graph = build_graph(other, "local")
    rendered = render_all(graph, graph.select(["all"]), tmp_path)
    singleuser = (rendered["jh-voila-oauth-singleuser"].context / "Dockerfile").read_text()
    assert f'"jupyterhub=={other.line}"' in singleuser
    assert f"FROM containds/base-notebook:hub-{other.line}" in singleuser
    assert BuildDir(tmp_path).for_line(other).root == tmp_path / "lines" / other.line


def test_an_unknown_line_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match=r"no JupyterHub line 9\.9\.9"):
        load_matrix(MATRIX_PATH, "9.9.9")
    result = subprocess.run([sys.executable, "-m", "buildtool", "--stacks", "local", "--line", "9.9.9", "list"],
                            cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 2
    lines = ", ".join(load_matrix(MATRIX_PATH).lines)
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: no JupyterHub line 9.9.9 in matrix.yaml (lines: {lines}, or all)"]
    assert "Traceback" not in result.stderr


def test_list_names_every_line() -> None:
    result = subprocess.run([sys.executable, "-m", "buildtool", "--stacks", "local", "--line", "all", "list", "--json"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    lines = load_matrix(MATRIX_PATH).lines
    assert [row["line"] for row in rows if row["name"] == "containds-hub"] == list(lines)
