"""The README's setup on a stock Debian: a plain Debian container (the debian-root image the build makes) with
nothing but Debian's packages, the checkout copied in, then `scripts/setup --python-only` and the project's
commands through `.venv/bin/python` (no `python` command, PEP 668: the system Python refuses pip)."""

from __future__ import annotations

import subprocess
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest

from buildtool.engine import find_ca_bundle
from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.docker.containers import TrackedContainer

BUNDLE = "/etc/ssl/certs/host-ca.crt"  # the host's CA bundle: PyPI through this machine's TLS proxy


@pytest.fixture(scope="module")
def debian(build_image: Callable[[str], str], graph: Graph,
           docker_client: docker.DockerClient) -> Iterator[TrackedContainer]:
    tracked = TrackedContainer(docker_client, build_image(graph.matrix.root.name))
    yield tracked
    tracked.remove()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout as git would clone it (tracked and new files, nothing ignored: no .venv, no build/)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_DIR,
                            capture_output=True, check=True).stdout.decode().split("\0")
    archive = tmp_path_factory.mktemp("checkout") / "checkout.tar"
    with tarfile.open(archive, "w") as tar:
        for name in filter(None, listed):
            if (PROJECT_DIR / name).exists():
                tar.add(PROJECT_DIR / name, arcname=name, recursive=False)
    return archive


def _mounts(checkout: Path) -> dict[str, dict[str, str]]:
    mounts = {str(checkout): {"bind": "/checkout.tar", "mode": "ro"}}
    bundle = find_ca_bundle(None)
    if bundle is not None:
        mounts[str(bundle)] = {"bind": BUNDLE, "mode": "ro"}
    return mounts


def test_setup_and_the_unit_tests_on_a_stock_debian(debian: TrackedContainer, checkout: Path) -> None:
    script = ("set -e; mkdir /project; tar -xf /checkout.tar -C /project; cd /project; "
              "! command -v python3; "  # stock: not even python3 until setup installs it
              "scripts/setup --python-only; "
              ".venv/bin/python -m buildtool --help >/dev/null; echo HELP-OK; "
              ".venv/bin/python -m pytest -m 'not docker' -q -p no:cacheprovider 2>&1 | tail -n 3")
    status, output = debian.run(["bash", "-c", script], timeout=900, volumes=_mounts(checkout), user="root",
                                environment={"PIP_CERT": BUNDLE} if find_ca_bundle(None) else {})
    assert status == 0, output[-3000:]
    assert "HELP-OK" in output
    assert " passed" in output and " failed" not in output, output[-1500:]


def test_setup_without_root_or_sudo_says_what_it_needs_in_one_line(debian: TrackedContainer, checkout: Path) -> None:
    script = ("useradd --create-home dev && mkdir /project && tar -xf /checkout.tar -C /project && "
              "chown -R dev /project && su dev -c 'cd /project && scripts/setup --python-only'")
    status, output = debian.run(["bash", "-c", script], volumes=_mounts(checkout), user="root")
    assert status == 1, output
    lines = output.strip().splitlines()
    assert lines[-1].startswith("setup: needs root for: apt-get update"), lines
    assert "run it as root, or install sudo" in lines[-1]
