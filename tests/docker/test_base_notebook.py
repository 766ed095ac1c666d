"""Jupyter itself: the default command serves Jupyter, the healthcheck turns healthy, versions match the hub."""

from __future__ import annotations

import time

import requests

from buildtool.graph import Graph
from tests.docker.containers import TrackedContainer, ip_address

APPLIES_TO = "base-notebook"


def test_default_command_serves_jupyter_and_turns_healthy(container: TrackedContainer) -> None:
    server = container.start()
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    response = _get(f"http://{ip_address(server)}:8888/api")
    assert response.status_code == 200
    assert "version" in response.json()


def test_jupyter_port_moves_the_server(container: TrackedContainer) -> None:
    server = container.start(environment={"JUPYTER_PORT": "9999"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    assert _get(f"http://{ip_address(server)}:9999/api").status_code == 200


def test_start_scripts_are_on_path(container: TrackedContainer) -> None:
    names = ["start-notebook.py", "start-notebook.sh", "start-singleuser.py", "start-singleuser.sh"]
    output = container.check(["bash", "-c", "command -v " + " ".join(names)])
    assert output.split() == [f"/usr/local/bin/{name}" for name in names]


def test_jupyterhub_singleuser_matches_the_hub_version(container: TrackedContainer, graph: Graph) -> None:
    output = container.check(["python", "-c", "import jupyterhub; print(jupyterhub.__version__)"])
    assert output.strip().splitlines()[-1] == graph.matrix.versions["jupyterhub"]
    container.check(["jupyterhub-singleuser", "--help"])


def test_git_is_installed(container: TrackedContainer) -> None:
    assert container.check(["git", "--version"]).startswith("git version")


def _get(url: str, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
