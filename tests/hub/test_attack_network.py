"""From their own server, a user scans another user's private dashboards over the Docker network.

Every server shares the hub's network. Each framework used to listen on all interfaces behind
jhsingle-native-proxy, so a scan of the dashboard's container found the framework's own port, which served
the dashboard with no hub in the way. Now the only open port of a dashboard (or notebook) server must be the
proxy's, and it must give nothing without the hub's login.

Which ports to try comes from the target's own socket table (every port it listens on, on any address), so the
attempt covers every port that could answer, in a second instead of a 65,535-port sweep per container.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from buildtool.graph import Graph
from tests.docker.containers import exposed_ports, listening_sockets
from tests.hub.deployment import Hub
from tests.hub.hubclient import HubUser
from tests.hub.viewing import marker, publish, wait_until_shown

OWNER, ATTACKER = "nora", "oscar"
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
        connection = http.client.HTTPConnection(ip, target["port"], timeout=30)
        connection.request("GET", target["path"])
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        report[target["host"]] = {"open": [p for p in found if p], "status": response.status,
                                  "leaked": any(m in body for m in target["markers"])}
    print(json.dumps(report))

asyncio.run(scan(json.loads(sys.argv[1])))
"""


@pytest.fixture(scope="module", autouse=True)
def _stop_servers_afterwards(hub: Hub) -> Iterator[None]:
    """This module's users' servers are not needed by the next: fewer containers on a busy machine."""
    yield
    hub.stop_servers(*(OWNER, ATTACKER))


@pytest.fixture(scope="module")
def dashboards(hub: Hub, graph: Graph, singleuser_image_name: str) -> dict[str, str]:
    """One private dashboard (no viewer but its owner) per framework of the image, each running: the owner
    opened it once, so that its framework listens."""
    owner = hub.user(OWNER)
    owner.login()
    owner.start_server()
    frameworks = [fw for fw in graph.frameworks(singleuser_image_name) if graph.matrix.frameworks[fw].presentation_type]
    urlnames = {fw: publish(owner, fw, f"Nora private {fw}", []) for fw in frameworks}
    for framework, urlname in urlnames.items():
        wait_until_shown(owner, f"/hub/dashboards/{urlname}", framework)
    return urlnames


@pytest.fixture(scope="module")
def attacker(hub: Hub) -> HubUser:
    user = hub.user(ATTACKER)
    user.login()
    user.start_server()
    return user


def test_another_users_dashboards_and_notebook_expose_only_the_authenticated_proxy(
        hub: Hub, dashboards: dict[str, str], attacker: HubUser) -> None:
    servers = {framework: f"dash-{urlname}" for framework, urlname in dashboards.items()}
    targets = []
    for framework, server in {**servers, "notebook": ""}.items():
        container = hub.container_of(OWNER, server)
        listening = {port for _, port in listening_sockets(container)}
        assert exposed_ports(container) == {SERVER_PORT}, f"{framework}: listens beyond loopback"
        assert len(listening) > 1 or framework == "notebook", f"{framework}: the app itself is not running"
        path = f"/user/{OWNER}/{server}/" if server else f"/user/{OWNER}/api/contents"
        targets.append({"host": container.name, "ports": sorted(listening), "port": SERVER_PORT, "path": path,
                        "markers": [marker(framework)] if server else ['"content"'], "framework": framework})

    scanner = hub.container_of(ATTACKER)
    result = scanner.exec_run(["python3", "-c", SCAN, json.dumps(targets)], user="jovyan")
    assert result.exit_code == 0, result.output.decode()[-2000:]
    report = json.loads(result.output.decode().strip().splitlines()[-1])

    for target in targets:
        seen = report[target["host"]]
        assert seen["open"] == [SERVER_PORT], f"{target['framework']}: open ports {seen['open']}"
        assert not seen["leaked"], f"{target['framework']}: content served without the hub"
        assert seen["status"] in (302, 401, 403), f"{target['framework']}: {seen['status']} without a token"
