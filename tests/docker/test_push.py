"""`push` against a real registry (Debian's docker-registry on 127.0.0.1): push, forget, pull back, same digest."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.conftest import PROJECT_DIR
from tests.registry import running_registry

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "ca-probe"  # a project whose `ca-probe` target is never built


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away registry on a free loopback port; yields its host:port."""
    with running_registry(tmp_path_factory.mktemp("registry")) as address:
        yield address


def _push(*args: str, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "buildtool", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def test_push_then_pull_back_gives_the_same_digest(
    registry: str, build_image, docker_client: docker.DockerClient, matrix
) -> None:
    build_image(matrix.root.name)
    result = _push("--stacks", "local", "push", matrix.root.name, "--registry", registry, "--json")
    assert result.returncode == 0, result.stderr
    pushed = json.loads(result.stdout)
    assert pushed and all(row["ok"] and row["digest"].startswith("sha256:") for row in pushed)
    assert all(row["reference"].startswith(f"{registry}/") for row in pushed)
    for row in pushed:
        assert f"{row['reference']} pushed {row['digest']}" in result.stderr  # reported as it goes
    assert {row["kind"] for row in pushed} == {"image"}  # no python3 in the root: no manifest, so no SBOM
    assert f"{matrix.root.name}: no SBOM" in result.stderr
    for row in pushed:
        docker_client.images.remove(row["reference"])  # forget the local tag, keep the image
    for row in pushed:
        repository, tag = row["reference"].rsplit(":", 1)
        pulled = docker_client.images.pull(repository, tag=tag)
        digests = [d.split("@", 1)[1] for d in pulled.attrs["RepoDigests"] if d.startswith(repository + "@")]
        assert row["digest"] in digests
        docker_client.images.remove(row["reference"])


def test_a_failed_push_names_image_and_registry_and_keep_going_pushes_the_rest(
    registry: str, build_image, matrix, tmp_path: Path
) -> None:
    build_image(matrix.root.name)
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    result = _push("--matrix", str(project / "matrix.yaml"), "--stacks", "local", "push", "ca-probe",
                   matrix.root.name, "--registry", registry, "--keep-going", "--json", cwd=project)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    failed = [row for row in rows if not row["ok"]]
    assert [row["target"] for row in failed] == ["ca-probe"]
    assert "no local image containds/ca-probe" in failed[0]["detail"]
    assert any(row["ok"] and row["target"] == matrix.root.name for row in rows)
    assert "Traceback" not in result.stderr


def test_an_unreachable_registry_is_one_clear_failure(build_image, matrix) -> None:
    build_image(matrix.root.name)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    result = _push("--stacks", "local", "push", matrix.root.name, "--registry", dead)
    assert result.returncode == 1
    assert f"push to {dead} failed" in result.stderr
    assert "Traceback" not in result.stderr
