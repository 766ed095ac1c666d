"""The committed docker-bake.json and GitHub workflow match the matrix, and their structure follows the graph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from buildtool.bake import bake_definition
from buildtool.graph import build_graph
from buildtool.matrix import Matrix
from buildtool.render import render_all
from buildtool.tags import primary_ref
from buildtool.workflow import WORKFLOW_PATH, workflow_yaml
from tests.unit.matrices import PROJECT_DIR

REGENERATE = "python -m buildtool --stacks upstream bake && python -m buildtool --stacks upstream workflow"


def _bake(matrix: Matrix, tmp_path: Path) -> dict:
    graph = build_graph(matrix, "upstream")
    return bake_definition(graph, render_all(graph, graph.select(["all"]), tmp_path), "build/contexts",
                           [graph.matrix.platform])


def test_committed_bake_file_is_up_to_date(live_matrix: Matrix, tmp_path: Path) -> None:
    committed = json.loads((PROJECT_DIR / "docker-bake.json").read_text())
    assert committed == _bake(live_matrix, tmp_path), f"docker-bake.json is stale: run `{REGENERATE}`"


def test_bake_links_every_target_to_its_parent_target(live_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(live_matrix, "upstream")
    bake = _bake(live_matrix, tmp_path)
    assert set(bake["group"]["default"]["targets"]) == {t.name for t in graph.select(["all"])}
    for name, spec in bake["target"].items():
        dockerfile = (tmp_path / name / "Dockerfile").read_text()
        base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)  # type: ignore[union-attr]
        parent = graph.targets[graph.targets[name].parent]  # type: ignore[index]
        if parent.built:
            assert spec["contexts"] == {base: f"target:{parent.name}"}
        else:
            assert "contexts" not in spec and base == parent.external
        assert spec["tags"][0] == primary_ref(live_matrix, graph.targets[name])
        assert spec["secret"] == ["id=cacert,src=${CA_BUNDLE}"]


def test_committed_workflow_is_up_to_date(live_matrix: Matrix) -> None:
    committed = (PROJECT_DIR / WORKFLOW_PATH).read_text()
    expected = workflow_yaml(build_graph(live_matrix, "upstream"))
    assert committed == expected, f"the workflow is stale: run `{REGENERATE}`"


def test_workflow_jobs_follow_the_parent_chain_and_push_only_from_main(live_matrix: Matrix) -> None:
    graph = build_graph(live_matrix, "upstream")
    jobs = yaml.safe_load((PROJECT_DIR / WORKFLOW_PATH).read_text())["jobs"]
    for target in graph.select(["all"]):
        job = jobs[target.name]
        parent = graph.targets[target.parent]  # type: ignore[index]
        expected = ["unit", parent.name] if parent.built else ["unit"]
        assert job["needs"] == expected
        steps = {step.get("name", ""): step for step in job["steps"]}
        assert steps[f"Push {target.name}"]["if"].endswith("refs/heads/main'")
        assert "secrets.REGISTRY_TOKEN" in steps["Log in to the registry"]["env"]["REGISTRY_TOKEN"]
