"""Dashboards in a JupyterHub of one's own (tests/hub/own_hub.py): the wheels `build` writes, pip-installed with
JupyterHub and DockerSpawner from PyPI into a plain virtual environment, configured by cdsdashboards' documented
lines plus `containds_hub.configure(c)`, JupyterHub started on this machine. The three-user scenario of the image's
hub holds there too: the image and everyone else run one code path."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.hub.deployment import keeping
from tests.hub.own_hub import OwnHub, remove_own_hub, start_own_hub
from tests.hub.scenarios import share_check_and_restart

HUB_GROUP = "own-hub"  # a deployment of its own: its own test worker

PROJECT = "containds-own"


@pytest.fixture(scope="module")
def own_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
            singleuser_image_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnHub]:
    build_image(graph.matrix.hub.name)  # and with it, its wheels
    wheels = PROJECT_DIR / "build" / "wheels"
    hub = start_own_hub(docker_client, tmp_path_factory.mktemp("own-hub"), PROJECT, graph.matrix.line,
                        build_image(singleuser_image_name), wheels, graph.matrix.versions["dockerspawner"])
    try:
        yield hub
    finally:
        (PROJECT_DIR / "build" / "own-hub.log").write_text(hub.logs())  # to read when a test failed
        if not keeping():
            remove_own_hub(hub)


def test_dashboards_are_shared_exactly_as_configured_in_a_hub_of_ones_own(own_hub: OwnHub) -> None:
    share_check_and_restart(own_hub, f"own hub {own_hub.line}")


def test_the_documented_name_template_is_replaced_by_one_that_cannot_collide(own_hub: OwnHub) -> None:
    """The seed's "{prefix}-{username}-{servername}" gives two users' servers one container name."""
    assert "lets two users' servers share a name" in own_hub.logs()
    names = [container.name for container in own_hub.client.containers.list(filters={"name": PROJECT})]
    assert f"{PROJECT}-alice" in names and any(name.startswith(f"{PROJECT}-alice--dash-") for name in names), names
