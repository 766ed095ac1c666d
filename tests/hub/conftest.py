"""One hub for every hub test: started once from hub/docker-compose.yml, removed (with all it spawned) at the end.

Test modules use users of their own (`hub_users`), so that they do not see each other's servers and dashboards,
and the servers a module started are stopped when it ends. The singleuser image is the first of the matrix that
has every dashboard framework, so that every framework can be attacked and served.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest

from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.hub.deployment import PROJECT, Hub, HubUsers, start_hub, stop_hub


@pytest.fixture(scope="session")
def singleuser_image_name(graph: Graph) -> str:
    """The first singleuser image of the matrix with every dashboard framework."""
    presentation = {fw.name for fw in graph.matrix.frameworks.values() if fw.presentation_type}
    return next(t.name for t in graph.targets.values()
                if t.kind == "image" and presentation <= set(graph.frameworks(t.name)))


@pytest.fixture(scope="session")
def hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
        singleuser_image_name: str) -> Iterator[Hub]:
    started = start_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                        build_image(singleuser_image_name))
    try:
        yield started
    finally:
        (PROJECT_DIR / "build").mkdir(exist_ok=True)
        (PROJECT_DIR / "build" / "e2e-timings.json").write_text(json.dumps(started.timings, indent=2) + "\n")
        with contextlib.suppress(docker.errors.DockerException):
            (PROJECT_DIR / "build" / "e2e-hub.log").write_text(started.logs())  # to read when a test failed
        stop_hub(started)


@pytest.fixture(scope="module")
def hub_users(hub: Hub) -> Iterator[HubUsers]:
    """`hub_users(name)`: a user of the shared hub, logged in (`working=True`: with their notebook server running);
    every server of every user it gave is stopped when the module ends: fewer containers for the next."""
    users = HubUsers(hub)
    try:
        yield users
    finally:
        users.stop_servers()
