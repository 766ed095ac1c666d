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
from tests.unit.matrices import MINI_MATRIX, PROJECT_DIR

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-26")
MINI = str(MINI_MATRIX.relative_to(PROJECT_DIR))  # as a user in the project directory would name it


def test_the_first_line_is_the_default(mini_matrix: Matrix) -> None:
    assert mini_matrix.lines == ("6.0.0", "5.0.0")
    assert mini_matrix.line == "6.0.0" and mini_matrix.default_line
    other = load_matrix(MINI_MATRIX, "5.0.0")
    assert other.versions["jupyterhub"] == "5.0.0" and not other.default_line


def test_every_built_target_exists_on_each_line_under_its_own_tags(mini_matrix: Matrix) -> None:
    default, other = (build_graph(load_matrix(MINI_MATRIX, line), "local") for line in mini_matrix.lines)
    assert list(default.targets) == list(other.targets)  # the same hierarchy
    for name, target in default.targets.items():
        mine, theirs = set(all_refs(default, target, INFO)), set(all_refs(other, other.targets[name], INFO))
        if target.kind == "root":
            assert mine == theirs  # Debian's root is the same on every line
            continue
        assert theirs == {f"example/{name}:hub-5.0.0"}
        assert f"example/{name}:hub-6.0.0" in mine and not mine & theirs
    assert primary_ref(default.matrix, default.targets["dash-py"]) == "example/dash-py:1.2.3"
    assert primary_ref(other.matrix, other.targets["dash-py"]) == "example/dash-py:hub-5.0.0"


def test_a_line_renders_its_own_jupyterhub_on_its_own_parents(tmp_path: Path) -> None:
    other = load_matrix(MINI_MATRIX, "5.0.0")
    graph = build_graph(other, "local")
    rendered = render_all(graph, graph.select(["all"]), tmp_path)
    assert "RUN install-pip jupyterhub==5.0.0\n" in (rendered["py-stack"].context / "Dockerfile").read_text()
    assert "FROM example/py-stack:hub-5.0.0\n" in (rendered["r-stack"].context / "Dockerfile").read_text()
    assert "FROM example/dash-py:hub-5.0.0\n" in (rendered["dash-all"].context / "Dockerfile").read_text()
    assert BuildDir(tmp_path).for_line(other).root == tmp_path / "lines" / "5.0.0"


def test_an_unknown_line_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match=r"no JupyterHub line 9\.9\.9"):
        load_matrix(MINI_MATRIX, "9.9.9")
    result = subprocess.run([sys.executable, "-m", "buildtool", "--matrix", MINI, "--stacks", "local",
                             "--line", "9.9.9", "list"], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: no JupyterHub line 9.9.9 in {MINI} (lines: 6.0.0, 5.0.0, or all)"]
    assert "Traceback" not in result.stderr


def test_list_names_every_line() -> None:
    result = subprocess.run([sys.executable, "-m", "buildtool", "--matrix", MINI, "--stacks", "local", "--line", "all",
                             "list", "--json"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    assert [row["line"] for row in rows if row["name"] == "mini-hub"] == ["6.0.0", "5.0.0"]
