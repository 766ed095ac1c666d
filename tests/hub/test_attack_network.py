"""From their own server, a user scans another user's private dashboards over the Docker network.

Every server shares the hub's network. Two defences, each tried on its own: the egress policy (on by default)
lets no server open any port of another; and, with the policy off, each framework listens on loopback only behind
jhsingle-native-proxy (they used to listen on all interfaces, so a scan found the framework's own port, which
served the dashboard with no hub in the way): the only open port of a dashboard (or notebook) server is the
proxy's, and it gives nothing without the hub's login.

Which ports to try comes from the target's own socket table (every port it listens on, on any address), so the
attempt covers every port that could answer, in a second instead of a 65,535-port sweep per container.
"""

from __future__ import annotations

import pytest

from buildtool.graph import Graph
from containds_hub.naming import dashboard_server_name
from tests.hub.attacks import assert_only_the_proxy_is_reachable, private_dashboards
from tests.hub.deployment import Hub, HubUsers
from tests.hub.hubclient import HubUser

OWNER, ATTACKER = "nora", "oscar"


@pytest.fixture(scope="module")
def dashboards(hub_users: HubUsers, graph: Graph, singleuser_image_name: str) -> dict[str, str]:
    """One private dashboard (no viewer but its owner) per framework of the image, each running: the owner
    opened it once, so that its framework listens."""
    return private_dashboards(hub_users(OWNER, working=True), graph, singleuser_image_name)


@pytest.fixture(scope="module")
def attacker(hub_users: HubUsers) -> HubUser:
    return hub_users(ATTACKER, working=True)


def test_another_users_dashboards_and_notebook_expose_nothing_with_the_egress_policy(
        hub: Hub, dashboards: dict[str, str], attacker: HubUser) -> None:
    servers = {framework: dashboard_server_name(urlname) for framework, urlname in dashboards.items()}
    assert_only_the_proxy_is_reachable(hub, OWNER, ATTACKER, servers, proxy_open=False)


def test_without_the_egress_policy_they_expose_only_the_authenticated_proxy(
        hub: Hub, dashboards: dict[str, str], attacker: HubUser) -> None:
    servers = {framework: dashboard_server_name(urlname) for framework, urlname in dashboards.items()}
    with hub.egress_off():
        assert_only_the_proxy_is_reachable(hub, OWNER, ATTACKER, servers)
