"""Rendering: golden Dockerfiles of the project's matrix for both sources, byte-identical re-renders, manager
selection, fingerprints."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from buildtool.fingerprint import context_fingerprint
from buildtool.graph import build_graph
from buildtool.matrix import Matrix, load_matrix
from buildtool.render import render_all
from tests.unit.matrices import MINI_DIR

# The project's own Dockerfiles, as its templates render them from matrix.yaml: a change to either shows here as
# a diff to review. After an intended change (a new image, version or line too) rewrite them with
# UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 0 tests/unit/test_render.py, and commit what changed.
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 0 tests/unit/test_render.py"


def _tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("source", ["local", "upstream"])
def test_rendered_dockerfiles_match_golden_files(live_matrix: Matrix, tmp_path: Path, source: str) -> None:
    graph = build_graph(live_matrix, source)
    rendered = render_all(graph, graph.select(["all"]), tmp_path)
    golden_dir = GOLDEN / source
    if UPDATE:
        golden_dir.mkdir(parents=True, exist_ok=True)
        for old in golden_dir.glob("*.Dockerfile"):
            old.unlink()
        for name, item in rendered.items():
            (golden_dir / f"{name}.Dockerfile").write_bytes((item.context / "Dockerfile").read_bytes())
    expected = {p.name.removesuffix(".Dockerfile"): p.read_text() for p in golden_dir.glob("*.Dockerfile")}
    actual = {name: (item.context / "Dockerfile").read_text() for name, item in rendered.items()}
    assert actual.keys() == expected.keys(), f"the targets changed: if intended, run `{REGENERATE}`"
    for name in actual:
        assert actual[name] == expected[name], (
            f"{name}: differs from {golden_dir}/{name}.Dockerfile; if intended, run `{REGENERATE}`")


def test_the_ca_bundle_only_reaches_run_steps_as_a_secret(live_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(live_matrix, "local")
    for item in render_all(graph, graph.select(["all"]), tmp_path).values():
        dockerfile = (item.context / "Dockerfile").read_text()
        assert "ARG" not in dockerfile.split()  # no build-arg could carry it
        for line in dockerfile.splitlines():
            if "cacert" in line:
                assert "--mount=type=secret,id=cacert" in line or "/run/secrets/cacert" in line, line


def test_rendering_twice_gives_identical_files_and_fingerprints(mini_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(mini_matrix, "local")
    first = render_all(graph, graph.select(["all"]), tmp_path / "a")
    first_trees = {name: _tree(item.context) for name, item in first.items()}
    (tmp_path / "a" / "py-stack" / "stale-file").write_text("left over")
    second = render_all(graph, graph.select(["all"]), tmp_path / "a")
    assert {name: _tree(item.context) for name, item in second.items()} == first_trees
    assert {n: r.fingerprint for n, r in first.items()} == {n: r.fingerprint for n, r in second.items()}


def test_a_context_holds_the_files_of_the_layers_it_adds(mini_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(mini_matrix, "local")
    rendered = render_all(graph, graph.select(["all"]), tmp_path)
    assert set(_tree(rendered["dash-all"].context)) == {"Dockerfile", "layers/shiny/run-app"}
    assert (rendered["dash-all"].context / "layers/shiny/run-app").stat().st_mode & 0o111  # still executable
    assert set(_tree(rendered["dash-py"].context)) == {"Dockerfile"}  # widget has no files
    launchers = json.loads((rendered["mini-hub"].context / "launchers.json").read_text())  # a rendered .j2 file
    assert launchers == {"widget": mini_matrix.frameworks["widget"].launcher.as_config()}


def test_a_child_fingerprint_changes_with_its_parent(mini_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(mini_matrix, "local")
    before = render_all(graph, graph.select(["all"]), tmp_path)
    child = before["dash-py"]
    assert context_fingerprint(child.context, before["r-stack"].fingerprint) == child.fingerprint
    assert context_fingerprint(child.context, "another-parent") != child.fingerprint


def test_frameworks_install_with_the_managers_the_stack_has(mini_matrix: Matrix, tmp_path: Path) -> None:
    local_graph, upstream_graph = build_graph(mini_matrix, "local"), build_graph(mini_matrix, "upstream")
    assert dict(local_graph.targets["dash-all"].packages) == {"apt": ("r-cran-shiny",)}
    assert dict(upstream_graph.targets["dash-all"].packages) == {"conda": ("r-shiny",)}
    local = render_all(local_graph, local_graph.select(["dash-all"]), tmp_path / "local")
    upstream = render_all(upstream_graph, upstream_graph.select(["dash-all"]), tmp_path / "upstream")
    assert "RUN install-apt r-cran-shiny\n" in (local["dash-all"].context / "Dockerfile").read_text()
    upstream_file = (upstream["dash-all"].context / "Dockerfile").read_text()
    assert "RUN install-conda r-shiny\n" in upstream_file and "install-apt" not in upstream_file


def test_changing_one_framework_changes_exactly_the_images_that_contain_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINI_DIR, project)
    graph = build_graph(load_matrix(project / "matrix.yaml"), "local")
    before = render_all(graph, graph.select(["all"]), tmp_path / "before")
    launcher = project / "layers" / "shiny" / "run-app"
    launcher.write_text(launcher.read_text() + "# changed\n")
    after = render_all(graph, graph.select(["all"]), tmp_path / "after")
    changed = {name for name in before if before[name].fingerprint != after[name].fingerprint}
    assert changed == {name for name in before if "shiny" in graph.frameworks(name)} == {"dash-all"}
