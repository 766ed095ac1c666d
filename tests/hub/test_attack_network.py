"""From their own server, a user scans another user's private dashboards over the Docker network.

Every server shares the hub's network. Each framework used to listen on all interfaces behind
jhsingle-native-proxy, so a scan of the dashboard's container found the framework's own port, which served
the dashboard with no hub in the way. Now the only open port of a dashboard (or notebook) server must be the
proxy's, and it must give nothing without the hub's login.

Which ports to try comes from the target's own socket table (every port it listens on, on any address), so the
attempt covers every port that could answer, in a second instead of a 65,535-port sweep per container.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from buildtool.graph import Graph
from tests.hub.attacks import assert_only_the_proxy_is_reachable, private_dashboards
from tests.hub.deployment import Hub
from tests.hub.hubclient import HubUser

OWNER, ATTACKER = "nora", "oscar"


@pytest.fixture(scope="module", autouse=True)
def _stop_servers_afterwards(hub: Hub) -> Iterator[None]:
    """This module's users' servers are not needed by the next: fewer containers on a busy machine."""
    yield
    hub.stop_servers(*(OWNER, ATTACKER))


@pytest.fixture(scope="module")
def dashboards(hub: Hub, graph: Graph, singleuser_image_name: str) -> dict[str, str]:
    """One private dashboard (no viewer but its owner) per framework of the image, each running: the owner
    opened it once, so that its framework listens."""
    return private_dashboards(hub.working_user(OWNER), graph, singleuser_image_name)


@pytest.fixture(scope="module")
def attacker(hub: Hub) -> HubUser:
    return hub.working_user(ATTACKER)


def test_another_users_dashboards_and_notebook_expose_only_the_authenticated_proxy(
        hub: Hub, dashboards: dict[str, str], attacker: HubUser) -> None:
    servers = {framework: f"dash-{urlname}" for framework, urlname in dashboards.items()}
    assert_only_the_proxy_is_reachable(hub, OWNER, ATTACKER, servers)
