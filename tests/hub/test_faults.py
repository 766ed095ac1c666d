"""The hub refuses to start on a bad deployment, with one line that says what is wrong (and no traceback)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph

HUB_GROUP = "faults"  # hubs that stop at once: their own worker

SOCKET = "/var/run/docker.sock"


@pytest.fixture(scope="module")
def hub_image(build_image: Callable[[str], str], graph: Graph) -> str:
    return build_image(graph.matrix.hub.name)


@pytest.fixture(scope="module")
def network(docker_client: docker.DockerClient) -> Iterator[str]:
    """A network that exists, so that only the fault under test is wrong."""
    created = docker_client.networks.create("containds-faults")
    yield created.name
    created.remove()


def _start(client: docker.DockerClient, image: str, environment: dict[str, str],
           with_socket: bool = True) -> tuple[int, str]:
    """Run the hub until it exits (or 60 s pass); returns its exit status and its log."""
    options: dict[str, object] = {}
    if with_socket:
        options = {"volumes": {SOCKET: {"bind": SOCKET, "mode": "rw"}}, "group_add": [str(os.stat(SOCKET).st_gid)]}
    container = client.containers.run(
        image, detach=True, environment={"CDS_AUTHENTICATOR": "dummy", "CDS_DUMMY_PASSWORD": "not-used-here",
                                         **environment}, **options)
    try:
        status = container.wait(timeout=60)["StatusCode"]
        return status, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True, v=True)  # with the anonymous volume of the image's VOLUME


# What needs an engine to go wrong; every other bad setting is one line of containds_hub.settings, unit-tested in
# tests/unit/test_hub_settings.py (one of them here too: the image's path from the settings to the exit). An engine
# that is no swarm manager with CDS_SPAWNER=swarm is tests/unit/test_hub_preflight.py's: the tests' engine may be
# in a swarm at any time (tests/hub/test_swarm.py makes one for the session).
@pytest.mark.parametrize(("environment", "with_socket", "message"), [
    ({}, False, "the Docker engine cannot be reached"),
    ({"CDS_SINGLEUSER_IMAGE": "containds/no-such-image:0"}, True,
     "CDS_SINGLEUSER_IMAGE=containds/no-such-image:0: no such image on this Docker engine"),
    ({"CDS_DOCKER_NETWORK": "no-such-network"}, True, "CDS_DOCKER_NETWORK=no-such-network: no such Docker network"),
    ({"CDS_HUB_PORT": "99999", "CDS_AUTHENTICATOR": "ldap"}, True,
     "CDS_AUTHENTICATOR='ldap': one of native, dummy expected"),
], ids=["no-docker-socket", "missing-singleuser-image", "missing-network", "bad-settings"])
def test_bad_deployment_stops_the_hub_with_one_clear_line(
    docker_client: docker.DockerClient, hub_image: str, network: str, environment: dict[str, str], with_socket: bool,
    message: str
) -> None:
    # Point at an image and a network that exist, so that only the fault under test is wrong.
    environment = {"CDS_SINGLEUSER_IMAGE": hub_image, "CDS_DOCKER_NETWORK": network, **environment}
    status, log = _start(docker_client, hub_image, environment, with_socket)
    assert status != 0
    errors = [line for line in log.splitlines() if "configuration error" in line]
    assert len(errors) == (2 if "CDS_HUB_PORT" in environment else 1), log  # one line per problem
    assert any(message in line for line in errors), log
    assert "Traceback" not in log
