"""Incremental builds against the real engine: what one `docker image inspect` tells the skip logic, a second
build of an up-to-date target skipped, and no engine reported in one line before anything is rendered."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import docker

from buildtool import engine
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR


def test_one_inspect_reads_every_image_and_misses_none(build_image: Callable[[str], str], graph: Graph,
                                                        docker_client: docker.DockerClient) -> None:
    root = build_image(graph.matrix.root.name)
    missing = "containds/no-such-image:never-built"
    states = engine.image_states([root, missing, f"docker.io/{root}"])
    state = states[root]
    assert state is not None and states[missing] is None
    assert states[f"docker.io/{root}"] == state  # Docker Hub's host is how the engine leaves it out
    image = docker_client.images.get(root)
    assert state.labels[FINGERPRINT_LABEL] == image.labels[FINGERPRINT_LABEL]
    assert state.size == image.attrs["Size"] and root in state.tags


def test_an_up_to_date_target_is_skipped(build_image: Callable[[str], str], graph: Graph) -> None:
    build_image("foundation")  # built (or found up to date) with the same inputs as the command below
    result = subprocess.run(
        [sys.executable, "-m", "buildtool", "--stacks", graph.source.name, "build", "foundation", "--json"],
        capture_output=True, text=True, cwd=PROJECT_DIR, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    statuses = {row["target"]: row["status"] for row in json.loads(result.stdout)}
    assert statuses == {graph.matrix.root.name: "up to date", "foundation": "up to date"}


def test_no_engine_is_one_line_and_nothing_rendered(tmp_path: Path, docker_client: docker.DockerClient) -> None:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    result = subprocess.run(
        [sys.executable, "-m", "buildtool", "--stacks", "local", "--build-dir", str(tmp_path / "build"), "build",
         "all"], capture_output=True, text=True, cwd=PROJECT_DIR, env=env, timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Cannot connect to the Docker daemon" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build" / "contexts").exists()
