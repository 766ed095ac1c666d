"""The servers' egress policy (containds_hub.egress, the compose file's `egress` service), on a hub of its own.

From one user's server (code run in its kernel), connections to another user's server, to a listener this test
runs on the host's address on the servers' network, and to a container this test starts outside the hub's network
each fail, while the hub's API answers; the metadata address's rule is there (read with `iptables -C`, never
tried). With the policy off (CDS_EGRESS=false) the same connections succeed, so the test can fail. When the
deployment goes, so do its rules. Traffic goes only to what the test started on this machine.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph
from containds_hub.egress import METADATA, Chains
from tests.hub.deployment import Hub, deployed_hub, iptables
from tests.hub.egress_probes import address_on, host_listener, outside_container, probe
from tests.hub.hubclient import HubUser

HUB_GROUP = "egress"  # a deployment of its own: its own test worker
PROJECT = "containds-egress"


@pytest.fixture(scope="module")
def egress_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
               singleuser_image_name: str) -> Iterator[Hub]:
    with deployed_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                      build_image(singleuser_image_name)) as hub:
        yield hub


@pytest.fixture(scope="module")
def targets(egress_hub: Hub, docker_client: docker.DockerClient) -> Iterator[dict[str, tuple[str, int]]]:
    """Another user's server; a listener on the host's address on the servers' network; a container outside any
    Docker network (Docker keeps its bridge networks apart from each other anyway, so a container on another one
    proves nothing)."""
    neighbour = egress_hub.working_user("nadia")
    network_name = egress_hub.environment["CDS_DOCKER_NETWORK"]
    gateway = docker_client.networks.get(network_name).attrs["IPAM"]["Config"][0]["Gateway"]
    with contextlib.ExitStack() as started:
        host = started.enter_context(host_listener(gateway))
        outsider = started.enter_context(outside_container(docker_client, egress_hub.environment["CDS_HUB_IMAGE"],
                                                           f"{PROJECT}-outsider", "cdsegress0", "10.254.77.0/30"))
        yield {"another user's server": (address_on(egress_hub.container_of("nadia"), network_name), 8888),
               "the host": host, "a container outside": outsider}
        assert neighbour.server_model()  # (still running at the end)


def _probe(user: HubUser, hub: Hub, targets: dict[str, tuple[str, int]]) -> dict[str, object]:
    return probe(user, f"http://{hub.host}:8081/hub/api", targets)


def test_servers_reach_the_hub_and_nothing_else_they_should_not(egress_hub: Hub,
                                                              targets: dict[str, tuple[str, int]]) -> None:
    user = egress_hub.working_user("ursula")
    found = _probe(user, egress_hub, targets)
    assert found["hub API"] == 200, found
    opened = [name for name in targets if found[name] == "open"]
    assert not opened, f"reachable with the policy on: {opened} ({found})"
    chain = Chains.of(egress_hub.environment["CDS_CONTAINER_PREFIX"]).forward
    rule = ["-d", METADATA, "-j", "REJECT", "--reject-with", "icmp-admin-prohibited"]
    assert iptables("-C", chain, *rule) == 0, f"no rule for {METADATA} in {chain}"


def test_with_the_policy_off_the_same_connections_succeed(egress_hub: Hub,
                                                          targets: dict[str, tuple[str, int]]) -> None:
    with egress_hub.egress_off():
        found = _probe(egress_hub.working_user("ursula"), egress_hub, targets)
    assert [found[name] for name in targets] == ["open"] * len(targets), found


def test_the_rules_go_with_the_deployment(egress_hub: Hub) -> None:
    chains = Chains.of(egress_hub.environment["CDS_CONTAINER_PREFIX"])
    assert iptables("-S", chains.forward) == 0
    result = egress_hub.compose("stop", "egress")
    assert result.returncode == 0, result.stderr
    assert iptables("-S", chains.forward) != 0 and iptables("-S", chains.input) != 0, "rules left behind"
    assert "DOCKER-USER" in subprocess.run(["iptables", "-S", "DOCKER-USER"], capture_output=True,
                                           text=True).stdout  # Docker's own chain is untouched
    egress_hub.compose("up", "-d", "egress")
