"""What the attack tests do, on a hub of either deployment (compose or Swarm): the requests of a user asking for
what only the operator may choose, and the scan of another user's servers over the hub's network."""

from __future__ import annotations

import json
from typing import Any

from docker.models.containers import Container

from buildtool.graph import Graph
from tests.docker.containers import exposed_ports, listening_sockets
from tests.hub.deployment import Hub
from tests.hub.hubclient import HubUser
from tests.hub.viewing import marker, presentation_type, publish, wait_until_shown

SOCKET = "/var/run/docker.sock"


def attacks(hub_image: str) -> dict[str, dict[str, Any]]:
    """Server options a user may not choose, by attack. `hub_image` is the hub's own image reference: an image
    that exists wherever the hub runs (on its engine, or in the registry a swarm pulls from) and that only the
    operator may choose for a server."""
    return {
        "socket-and-host-dir": {
            "volumes": {SOCKET: SOCKET, "/etc": {"bind": "/home/jovyan/hostetc", "mode": "ro"}},
            "extra_host_config": {"privileged": True, "group_add": ["0"]},
        },
        "image": {"image": hub_image},
        "cmd": {"cmd": ["/bin/sh", "-c", "id > /tmp/owned; sleep 600"]},
        "network": {"network_name": "host"},
        "mem-limit": {"mem_limit": "64G"},
        "ld-preload": {"environment": {"LD_PRELOAD": "/home/jovyan/evil.so"}},
        "dashboard-options-on-a-notebook-server": {"presentation_type": presentation_type("voila"),
                                                   "presentation_path": "x.ipynb",
                                                   "environment": {"JUPYTERHUB_ANYONE": "1"}},
    }


ATTACK_NAMES = list(attacks(""))  # for the tests' ids; each test asks for its hub's own options

SERVER_PORT = 8888  # DockerSpawner's port: jhsingle-native-proxy in dashboards, jupyter-server in notebooks

# Runs in the attacker's container as the attacker: a connection to each given port of each target, then a
# request without credentials to the port expected open. Bounded: the ports of containers this test started.
SCAN = r"""
import asyncio, http.client, json, socket, sys

async def is_open(ip, port):
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), 2)
    except (OSError, asyncio.TimeoutError):
        return None
    writer.close()
    return port

async def scan(targets):
    report = {}
    for target in targets:
        ip = socket.gethostbyname(target["host"])
        found = await asyncio.gather(*(is_open(ip, port) for port in target["ports"]))
        try:
            connection = http.client.HTTPConnection(ip, target["port"], timeout=30)
            connection.request("GET", target["path"])
            response = connection.getresponse()
            status, body = response.status, response.read().decode("utf-8", "replace")
        except OSError:  # refused (the egress policy): nothing to read
            status, body = None, ""
        report[target["host"]] = {"open": [p for p in found if p], "status": status,
                                  "leaked": any(m in body for m in target["markers"])}
    print(json.dumps(report))

asyncio.run(scan(json.loads(sys.argv[1])))
"""


def assert_only_the_proxy_is_reachable(hub: Hub, owner: str, attacker: str, servers: dict[str, str],
                                       proxy_open: bool = True) -> None:
    """From `attacker`'s notebook server, every server of `owner` (`servers`: framework -> server name, the
    notebook server added here) shows one open port, the proxy's, which gives nothing without the hub's login
    (`proxy_open=False`: none at all, the egress policy's answer). Which ports to try comes from the target's
    own socket table: every port it listens on, on any address."""
    network = hub.environment["CDS_DOCKER_NETWORK"]
    targets = []
    for framework, server in {**servers, "notebook": ""}.items():
        container = hub.container_of(owner, server)
        listening = {port for _, port in listening_sockets(container)}
        assert exposed_ports(container) == {SERVER_PORT}, f"{framework}: listens beyond loopback"
        assert len(listening) > 1 or framework == "notebook", f"{framework}: the app itself is not running"
        path = f"/user/{owner}/{server}/" if server else f"/user/{owner}/api/contents"
        targets.append({"host": _address_on(container, network), "ports": sorted(listening), "port": SERVER_PORT,
                        "path": path, "markers": [marker(framework)] if server else ['"content"'],
                        "framework": framework})

    scanner = hub.container_of(attacker)
    result = scanner.exec_run(["python3", "-c", SCAN, json.dumps(targets)], user="jovyan")
    assert result.exit_code == 0, result.output.decode()[-2000:]
    report = json.loads(result.output.decode().strip().splitlines()[-1])

    for target in targets:
        seen = report[target["host"]]
        expected = [SERVER_PORT] if proxy_open else []
        assert seen["open"] == expected, f"{target['framework']}: open ports {seen['open']}, {expected} expected"
        assert not seen["leaked"], f"{target['framework']}: content served without the hub"
        if proxy_open:
            assert seen["status"] in (302, 401, 403), f"{target['framework']}: {seen['status']} without a token"


def _address_on(container: Container, network: str) -> str:
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]


def private_dashboards(owner: HubUser, graph: Graph, image: str) -> dict[str, str]:
    """One dashboard per framework of the image, for nobody but its owner, each opened once (so that its
    framework listens); returns their urlnames by framework. The owner's notebook server must be running."""
    frameworks = [fw for fw in graph.frameworks(image) if graph.matrix.frameworks[fw].presentation_type]
    urlnames = {fw: publish(owner, fw, f"{owner.name} private {fw}", []) for fw in frameworks}
    for framework, urlname in urlnames.items():
        wait_until_shown(owner, f"/hub/dashboards/{urlname}", framework)
    return urlnames
