"""What the egress tests (tests/hub/test_egress.py on compose, tests/hub/test_swarm.py) try from a user's server, and
the targets they start for it: a listener on one of the host's addresses, and a container outside every Docker
network on a private address the host routes to (as a machine of the host's LAN or VPC would be). Traffic goes only
to what the test started on this machine."""

from __future__ import annotations

import contextlib
import http.server
import json
import socketserver
import subprocess
import threading
from collections.abc import Iterator

import docker

from tests.hub.hubclient import HubUser
from tests.hub.kernels import run_in_kernel

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


@contextlib.contextmanager
def host_listener(address: str) -> Iterator[tuple[str, int]]:
    """An HTTP listener of this test on one of the host's own addresses (a host service)."""
    listener = socketserver.TCPServer((address, 0), _Quiet)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        yield address, listener.server_address[1]
    finally:
        listener.shutdown()
        listener.server_close()


@contextlib.contextmanager
def outside_container(client: docker.DockerClient, image: str, name: str, veth: str,
                      subnet: str) -> Iterator[tuple[str, int]]:
    """A container on no Docker network, listening on port 9000 at the second address of `subnet` (a /30), wired to
    the host by a veth `veth` whose host end has the first."""
    outsider = client.containers.run(image, ["python3", "-m", "http.server", "9000"], detach=True, name=name,
                                     network_mode="none")
    prefix, bits = subnet.split("/")
    base = prefix.rsplit(".", 1)
    host, inside = f"{base[0]}.{int(base[1]) + 1}", f"{base[0]}.{int(base[1]) + 2}"
    try:
        outsider.reload()
        pid = str(outsider.attrs["State"]["Pid"])
        for command in (["ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}c"],
                        ["ip", "link", "set", f"{veth}c", "netns", pid],
                        ["ip", "addr", "add", f"{host}/{bits}", "dev", veth], ["ip", "link", "set", veth, "up"],
                        ["nsenter", "-t", pid, "-n", "ip", "addr", "add", f"{inside}/{bits}", "dev", f"{veth}c"],
                        ["nsenter", "-t", pid, "-n", "ip", "link", "set", f"{veth}c", "up"],
                        ["nsenter", "-t", pid, "-n", "ip", "route", "add", "default", "via", host]):
            result = subprocess.run(command, capture_output=True, text=True)
            assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
        yield inside, 9000
    finally:
        subprocess.run(["ip", "link", "delete", veth], capture_output=True)
        outsider.remove(force=True)


def probe(user: HubUser, hub_api: str, targets: dict[str, tuple[str, int]]) -> dict[str, object]:
    """From the user's server (code in its kernel): each target's port, open or refused, and the hub API's status."""
    code = PROBE.format(targets=targets, hub_api=hub_api)
    return json.loads(run_in_kernel(user, code).strip().splitlines()[-1])


def address_on(container: object, network: str) -> str:
    container.reload()  # type: ignore[attr-defined]
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]  # type: ignore[attr-defined]


def namespace_chain(container: object, chain: str) -> str | None:
    """`iptables -S chain` in the container's own network namespace (whichever backend holds it), None when no
    backend has it."""
    container.reload()  # type: ignore[attr-defined]
    pid = str(container.attrs["State"]["Pid"])  # type: ignore[attr-defined]
    for command in ("iptables-legacy", "iptables-nft", "iptables"):
        result = subprocess.run(["nsenter", "-t", pid, "-n", command, "-S", chain], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout
    return None
