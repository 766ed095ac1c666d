"""Rendering: golden Dockerfiles for both sources, byte-identical re-renders, manager selection."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from buildtool.fingerprint import context_fingerprint
from buildtool.graph import build_graph
from buildtool.matrix import Matrix, load_matrix
from buildtool.render import render_all

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # UPDATE_GOLDEN=1 pytest tests/unit rewrites them


def _tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("source", ["local", "upstream"])
def test_rendered_dockerfiles_match_golden_files(matrix: Matrix, tmp_path: Path, source: str) -> None:
    graph = build_graph(matrix, source)
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
    assert actual.keys() == expected.keys()
    for name in actual:
        assert actual[name] == expected[name], f"{name}: differs from {golden_dir}/{name}.Dockerfile"


def test_rendering_twice_gives_identical_files_and_fingerprints(matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(matrix, "local")
    first = render_all(graph, graph.select(["all"]), tmp_path / "a")
    first_trees = {name: _tree(item.context) for name, item in first.items()}
    (tmp_path / "a" / "foundation" / "stale-file").write_text("left over")
    second = render_all(graph, graph.select(["all"]), tmp_path / "a")
    assert {name: _tree(item.context) for name, item in second.items()} == first_trees
    assert {n: r.fingerprint for n, r in first.items()} == {n: r.fingerprint for n, r in second.items()}


def test_a_child_fingerprint_changes_with_its_parent(matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(matrix, "local")
    before = render_all(graph, graph.select(["all"]), tmp_path)
    child = before["jh-voila-oauth-singleuser"]
    assert context_fingerprint(child.context, before["base-notebook"].fingerprint) == child.fingerprint
    assert context_fingerprint(child.context, "another-parent") != child.fingerprint


def test_frameworks_install_with_the_managers_the_stack_has(matrix: Matrix, tmp_path: Path) -> None:
    local = render_all(build_graph(matrix, "local"), build_graph(matrix, "local").select(["containds-rshiny"]),
                       tmp_path / "local")
    upstream_graph = build_graph(matrix, "upstream")
    upstream = render_all(upstream_graph, upstream_graph.select(["containds-rshiny"]), tmp_path / "upstream")
    local_file = (local["containds-rshiny"].context / "Dockerfile").read_text()
    upstream_file = (upstream["containds-rshiny"].context / "Dockerfile").read_text()
    assert "apt-get install" in local_file and "r-cran-shiny" in local_file and "mamba" not in local_file
    assert "mamba install" in upstream_file and '"r-shiny"' in upstream_file and "apt-get" not in upstream_file


def test_the_ca_bundle_only_reaches_run_steps_as_a_secret(matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(matrix, "local")
    for item in render_all(graph, graph.select(["all"]), tmp_path).values():
        dockerfile = (item.context / "Dockerfile").read_text()
        assert "ARG" not in dockerfile.split()  # no build-arg could carry it
        for line in dockerfile.splitlines():
            if "cacert" in line:
                assert "--mount=type=secret,id=cacert" in line or "/run/secrets/cacert" in line, line


def test_changing_one_framework_changes_exactly_the_images_that_contain_it(matrix: Matrix, tmp_path: Path) -> None:
    project = tmp_path / "project"
    for part in ("images", "hub"):
        shutil.copytree(matrix.project_dir / part, project / part)
    shutil.copy(matrix.path, project / "matrix.yaml")
    before_graph = build_graph(load_matrix(project / "matrix.yaml"), "local")
    before = render_all(before_graph, before_graph.select(["all"]), tmp_path / "before")
    launcher = project / "images" / "layers" / "rshiny" / "run-shiny-app"
    launcher.write_text(launcher.read_text() + "# changed\n")
    after = render_all(before_graph, before_graph.select(["all"]), tmp_path / "after")
    changed = {name for name in before if before[name].fingerprint != after[name].fingerprint}
    expected = {name for name in before if "rshiny" in before_graph.frameworks(name)}
    assert expected and changed == expected
