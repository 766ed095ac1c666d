"""A real build through BuildKit: the root image is bootstrapped, the CA bundle reaches RUN steps as a secret
and is found nowhere in the image afterwards (history, config, filesystem)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import docker
import pytest

from tests.conftest import PROJECT_DIR

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "ca-probe"


@pytest.fixture(scope="module")
def probe_build(tmp_path_factory: pytest.TempPathFactory, docker_client: docker.DockerClient):
    """Build the probe target with a unique synthetic CA bundle; yields (image reference, bundle bytes, output)."""
    work = tmp_path_factory.mktemp("ca-probe")
    project = work / "project"
    shutil.copytree(FIXTURE, project)
    nonce = uuid.uuid4().hex[:12]
    matrix = project / "matrix.yaml"
    matrix.write_text(matrix.read_text().replace('nonce: "0"', f'nonce: "{nonce}"'))
    marker = f"BUILDTOOLTESTMARKER{nonce}"
    bundle = ("-----BEGIN CERTIFICATE-----\n" + f"{marker}\n" * 4 + "-----END CERTIFICATE-----\n").encode()
    (work / "ca.pem").write_bytes(bundle)
    result = subprocess.run(
        [sys.executable, "-m", "buildtool", "--matrix", str(matrix), "--stacks", "local", "--build-dir",
         str(work / "build"), "build", "ca-probe", "--ca-cert", str(work / "ca.pem"), "--json"],
        capture_output=True, text=True, cwd=project, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    ref = f"containds/ca-probe:probe-{nonce}"
    yield ref, bundle, marker, result
    docker_client.images.remove(ref, force=True)


def test_build_reports_each_target_and_a_summary(probe_build) -> None:
    _ref, _bundle, _marker, result = probe_build
    rows = {row["target"]: row for row in json.loads(result.stdout)}
    assert rows["ca-probe"]["status"] == "built"
    assert rows["debian-root"]["status"] in ("built", "up to date")
    assert "built-in BuildKit" in result.stderr or "docker buildx" in result.stderr  # says which builder
    assert "target" in result.stderr and "ca-probe" in result.stderr.split("target", 1)[1]  # summary table


def test_the_secret_reached_the_run_step(probe_build, docker_client: docker.DockerClient) -> None:
    ref, bundle, _marker, _result = probe_build
    seen = docker_client.containers.run(ref, ["cat", "/ca-seen.sha256"], remove=True).decode().strip()
    assert seen == hashlib.sha256(bundle).hexdigest()


def test_the_bundle_is_not_in_the_history_or_config(probe_build, docker_client: docker.DockerClient) -> None:
    ref, _bundle, marker, _result = probe_build
    history = subprocess.run(["docker", "history", "--no-trunc", ref], capture_output=True, text=True, check=True)
    assert marker not in history.stdout
    assert "ca.pem" not in history.stdout
    assert marker not in json.dumps(docker_client.images.get(ref).attrs)


def test_the_bundle_is_not_in_the_filesystem(probe_build, docker_client: docker.DockerClient, tmp_path: Path) -> None:
    ref, _bundle, marker, _result = probe_build
    container = docker_client.containers.create(ref, ["true"])
    try:
        archive = tmp_path / "fs.tar"
        with archive.open("wb") as out:
            for chunk in container.export():
                out.write(chunk)
    finally:
        container.remove(force=True)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert not [n for n in names if n.lstrip("./").startswith("run/secrets/") and n.rstrip("/") != "run/secrets"]
        for member in tar:
            if member.isfile() and member.size < 50_000_000:
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                assert marker.encode() not in data, f"the CA bundle leaked into {member.name}"
