"""The servers' egress policy (containds_hub.egress, the compose file's `egress` service), on a hub of its own.

From one user's server (code run in its kernel), connections to another user's server, to a listener this test
runs on the host's address on the servers' network, and to a container this test starts outside the hub's network
each fail, while the hub's API answers; the metadata address's rule is there (read with `iptables -C`, never
tried). With the policy off (CDS_EGRESS=false) the same connections succeed, so the test can fail. When the
deployment goes, so do its rules. Traffic goes only to what the test started on this machine.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph
from containds_hub.egress import METADATA, Chains
from tests.hub.deployment import Hub, deployed_hub, iptables
from tests.hub.hubclient import HubUser
from tests.hub.kernels import run_in_kernel

HUB_GROUP = "egress"  # a deployment of its own: its own test worker
PROJECT = "containds-egress"
PROBE = """
import json, socket, urllib.request
results = {{}}
for name, (host, port) in {targets!r}.items():
    try:
        socket.create_connection((host, port), timeout=5).close()
        results[name] = "open"
    except OSError as error:
        results[name] = f"refused: {{error}}"
try:
    results["hub API"] = urllib.request.urlopen({hub_api!r}, timeout=10).status
except OSError as error:
    results["hub API"] = f"refused: {{error}}"
print(json.dumps(results))
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def egress_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
               singleuser_image_name: str) -> Iterator[Hub]:
    with deployed_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                      build_image(singleuser_image_name)) as hub:
        yield hub


@pytest.fixture(scope="module")
def targets(egress_hub: Hub, docker_client: docker.DockerClient) -> Iterator[dict[str, tuple[str, int]]]:
    """Another user's server; a listener on the host's address on the servers' network; a container outside any
    Docker network, on a private address the host routes to (as a machine of the host's LAN or VPC would be:
    Docker keeps its bridge networks apart from each other anyway, so a container on another one proves nothing)."""
    neighbour = egress_hub.working_user("nadia")
    neighbour_ip = _address(egress_hub.container_of("nadia"), egress_hub.environment["CDS_DOCKER_NETWORK"])
    network = docker_client.networks.get(egress_hub.environment["CDS_DOCKER_NETWORK"])
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    listener = socketserver.TCPServer((gateway, 0), _Quiet)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    outsider = docker_client.containers.run(egress_hub.environment["CDS_HUB_IMAGE"], ["python3", "-m", "http.server",
                                            "9000"], detach=True, name=f"{PROJECT}-outsider", network_mode="none")
    try:
        outsider.reload()
        _wire(outsider.attrs["State"]["Pid"])
        yield {"another user's server": (neighbour_ip, 8888), "the host": (gateway, listener.server_address[1]),
               "a container outside": (OUTSIDER[1].split("/")[0], 9000)}
        assert neighbour.server_model()  # (still running at the end)
    finally:
        subprocess.run(["ip", "link", "delete", VETH], capture_output=True)
        outsider.remove(force=True)
        listener.shutdown()
        listener.server_close()


VETH = "cdsegress0"
OUTSIDER = ("10.254.77.1/30", "10.254.77.2/30")  # the host's end, the container's


def _wire(pid: int) -> None:
    """A veth from the host into the container's network namespace, with a private address at each end."""
    host, inside = OUTSIDER
    for command in (["ip", "link", "add", VETH, "type", "veth", "peer", "name", f"{VETH}c"],
                    ["ip", "link", "set", f"{VETH}c", "netns", str(pid)],
                    ["ip", "addr", "add", host, "dev", VETH], ["ip", "link", "set", VETH, "up"],
                    ["nsenter", "-t", str(pid), "-n", "ip", "addr", "add", inside, "dev", f"{VETH}c"],
                    ["nsenter", "-t", str(pid), "-n", "ip", "link", "set", f"{VETH}c", "up"],
                    ["nsenter", "-t", str(pid), "-n", "ip", "route", "add", "default", "via", host.split("/")[0]]):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"


def probe(user: HubUser, hub: Hub, targets: dict[str, tuple[str, int]]) -> dict[str, object]:
    code = PROBE.format(targets=targets, hub_api=f"http://{hub.host}:8081/hub/api")
    return json.loads(run_in_kernel(user, code).strip().splitlines()[-1])


def test_servers_reach_the_hub_and_nothing_else_they_should_not(egress_hub: Hub,
                                                              targets: dict[str, tuple[str, int]]) -> None:
    user = egress_hub.working_user("ursula")
    found = probe(user, egress_hub, targets)
    assert found["hub API"] == 200, found
    opened = [name for name in targets if found[name] == "open"]
    assert not opened, f"reachable with the policy on: {opened} ({found})"
    chain = Chains.of(egress_hub.environment["CDS_CONTAINER_PREFIX"]).forward
    rule = ["-d", METADATA, "-j", "REJECT", "--reject-with", "icmp-admin-prohibited"]
    assert iptables("-C", chain, *rule) == 0, f"no rule for {METADATA} in {chain}"


def test_with_the_policy_off_the_same_connections_succeed(egress_hub: Hub,
                                                          targets: dict[str, tuple[str, int]]) -> None:
    with egress_hub.egress_off():
        found = probe(egress_hub.working_user("ursula"), egress_hub, targets)
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


def _address(container: object, network: str) -> str:
    container.reload()  # type: ignore[attr-defined]
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]  # type: ignore[attr-defined]
