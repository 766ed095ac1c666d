"""One hub for every hub test: started once from hub/docker-compose.yml, removed (with all it spawned) at the end.

Test modules use users of their own, so that they do not see each other's servers and dashboards. The
singleuser image is the first of the matrix that has every dashboard framework, so that every framework can
be attacked and served.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.hub.deployment import ADMIN, NAMES, Hub, free_port


@pytest.fixture(scope="session")
def singleuser_image_name(graph: Graph) -> str:
    """The first singleuser image of the matrix with every dashboard framework."""
    presentation = {fw.name for fw in graph.matrix.frameworks.values() if fw.presentation_type}
    return next(t.name for t in graph.targets.values()
                if t.kind == "image" and presentation <= set(graph.frameworks(t.name)))


@pytest.fixture(scope="session")
def hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
        singleuser_image_name: str) -> Iterator[Hub]:
    port = free_port()
    environment = {
        **os.environ,
        **NAMES,
        "CDS_HUB_IMAGE": build_image(graph.matrix.hub.name),
        "CDS_SINGLEUSER_IMAGE": build_image(singleuser_image_name),
        "CDS_PUBLISHED_PORT": str(port),
        "CDS_AUTHENTICATOR": "dummy",
        "CDS_DUMMY_PASSWORD": secrets.token_urlsafe(12),
        "CDS_ADMIN_USERS": ADMIN,
        "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid),
    }
    hub = Hub(f"http://127.0.0.1:{port}", environment["CDS_DUMMY_PASSWORD"], environment, docker_client)
    hub.compose("down", "-v")
    hub.remove_leftovers()
    result = hub.compose("up", "-d")
    assert result.returncode == 0, result.stderr
    try:
        hub.wait_until_up()
        yield hub
    finally:
        (PROJECT_DIR / "build").mkdir(exist_ok=True)
        (PROJECT_DIR / "build" / "e2e-timings.json").write_text(json.dumps(hub.timings, indent=2) + "\n")
        if not os.environ.get("CDS_E2E_KEEP"):  # set it to look at the hub after a failure
            hub.remove_leftovers()
            hub.compose("down", "-v")
