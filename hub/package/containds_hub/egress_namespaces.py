"""The egress policy inside each server's own network namespace: how the Swarm deployment enforces it.

On an overlay network, a packet from one container to another on the same node never leaves the overlay's own
namespace, so rules in the host's chains (`egress.py`, compose) never see one server reach another. Here the same
policy is a chain in the OUTPUT hook of every server's own namespace, which every packet a server sends passes,
whichever way it then goes (the overlay, docker_gwbridge, another node).

`python -m containds_hub.egress` on Swarm (the stack's `egress` service, one task per node) watches its node's
engine. When a container joins the servers' network, it starts a short-lived helper from the hub image in that
container's network namespace (`network_mode=container:<id>`, NET_ADMIN and nothing else), which loads the rules
with one `iptables-restore` (all or nothing) and hooks them in: `python -m containds_hub.egress_namespaces load`.
Servers never hold NET_ADMIN (their services drop every capability), so they cannot undo it. Containers labelled
with `ROLE_LABEL` (the hub, this service) are not servers and are left alone.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from containds_hub.egress import HUB_PORTS, METADATA, PRIVATE, REJECT, Allowed

LOG = logging.getLogger("containds-egress")
CHAIN = "CDS-EGRESS"  # the server's namespace is its own: one name for every deployment
ROLE_LABEL = "org.containds.role"  # set by the stack file on the hub and the egress service: not servers
RULES_VARIABLE = "CDS_EGRESS_RULES"  # how the helper gets what to load
INTERVAL = 5  # seconds between two looks at the network when no container started


@dataclass(frozen=True)
class Policy:
    """What one server's chain says: the servers' network, the hub's address on it, the host's own addresses
    that are not private (those are refused with the private ranges), and the operator's extras."""

    servers: str
    hub: str
    host_addresses: tuple[str, ...] = ()
    allowed: tuple[Allowed, ...] = ()

    def rules(self) -> list[list[str]]:
        """The chain's rules (`-A CHAIN ...`), in order: the first match decides."""
        return [
            ["-A", CHAIN, "-o", "lo", "-j", "RETURN"],  # the server itself: its app, its proxy, Docker's resolver
            ["-A", CHAIN, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"],  # replies
            *(["-A", CHAIN, *a.match(), "-j", "RETURN"] for a in self.allowed),
            ["-A", CHAIN, "-d", f"{self.hub}/32", "-p", "tcp", "-m", "multiport", "--dports",
             ",".join(map(str, HUB_PORTS)), "-j", "RETURN"],
            ["-A", CHAIN, "-d", METADATA, *REJECT],
            ["-A", CHAIN, "-d", self.servers, *REJECT],  # another user's server
            *(["-A", CHAIN, "-d", f"{address}/32", *REJECT] for address in self.host_addresses),
            *(["-A", CHAIN, "-d", network, *REJECT] for network in PRIVATE),
            ["-A", CHAIN, "-j", "RETURN"],  # public addresses: package indexes, the web
        ]

    def restore_input(self) -> str:
        """iptables-restore's input (with --noflush): the chain declared (made, or emptied) and filled at once."""
        lines = ["*filter", f":{CHAIN} - [0:0]", *(" ".join(rule) for rule in self.rules()), "COMMIT", ""]
        return "\n".join(lines)


def public_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """The host's addresses the private ranges do not already cover (a VM's public address, say)."""
    found = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 4 and not any(address in ipaddress.ip_network(n) for n in PRIVATE):
            found.append(str(address))
    return tuple(sorted(set(found)))


# The helper: runs inside the server's network namespace, as root with NET_ADMIN.

def _iptables() -> str:
    """The backend Docker's own rules in this namespace use (its resolver's NAT chain), else the default."""
    for command in ("iptables-legacy", "iptables-nft"):
        probe = subprocess.run([command, "-t", "nat", "-S", "DOCKER_OUTPUT"], capture_output=True)
        if probe.returncode == 0:
            return command
    return "iptables"


def _run(*command: str, stdin: str | None = None, check: bool = True) -> int:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"containds-egress: {' '.join(command)}: {result.stderr.strip()}")
    return result.returncode


def load(restore_input: str) -> None:
    iptables = _iptables()
    _run(f"{iptables}-restore", "--noflush", stdin=restore_input)
    if _run(iptables, "-C", "OUTPUT", "-j", CHAIN, check=False) != 0:
        _run(iptables, "-I", "OUTPUT", "1", "-j", CHAIN)


def unload() -> None:
    iptables = _iptables()
    while _run(iptables, "-C", "OUTPUT", "-j", CHAIN, check=False) == 0:
        _run(iptables, "-D", "OUTPUT", "-j", CHAIN)
    _run(iptables, "-F", CHAIN, check=False)
    _run(iptables, "-X", CHAIN, check=False)


# The watcher: the egress service's task on each node.

class Enforcer:
    """Keeps every server container of this node's engine on `network` under the policy (or under none, when
    `enabled` is false), from a helper container of `image` per change."""

    def __init__(self, client: Any, network: str, hub_host: str, image: str, enabled: bool,
                 allowed: Sequence[Allowed]) -> None:
        self.client, self.network, self.hub_host, self.image = client, network, hub_host, image
        self.enabled, self.allowed = enabled, tuple(allowed)
        # The node's address in the swarm does not change while it is in it: read once, not on every look.
        self.host_addresses = public_addresses([(client.info().get("Swarm") or {}).get("NodeAddr", "")])
        self.applied: dict[str, Policy | None] = {}  # container id -> what its namespace holds (None: nothing)

    def policy(self) -> Policy | None:
        """The policy as of now, or None while the hub's name does not resolve (it is not up yet)."""
        try:
            hub = socket.gethostbyname(self.hub_host)
        except OSError:
            LOG.warning("the hub's name %s does not resolve yet", self.hub_host)
            return None
        attrs = self.client.networks.get(self.network).attrs
        servers = attrs["IPAM"]["Config"][0]["Subnet"]
        return Policy(servers, hub, self.host_addresses, self.allowed)

    def servers(self) -> list[str]:
        """Running containers on the network, here, that are servers (no role label)."""
        listed = self.client.api.containers(filters={"network": self.network})
        return [c["Id"] for c in listed if ROLE_LABEL not in (c.get("Labels") or {})]

    def reconcile(self) -> None:
        wanted = self.policy() if self.enabled else None
        if self.enabled and wanted is None:
            return
        present = self.servers()
        for container in present:
            changed = container not in self.applied or self.applied[container] != wanted
            if changed and self._helper(container, wanted):
                self.applied[container] = wanted
        self.applied = {c: p for c, p in self.applied.items() if c in present}

    def remove_all(self) -> None:
        for container in self.servers():
            self._helper(container, None)
        self.applied.clear()

    def _helper(self, container: str, policy: Policy | None) -> bool:
        """Load `policy` into the container's namespace (None: remove the chain); False when it could not."""
        import docker.errors

        try:
            self.client.containers.run(
                self.image, ["python3", "-m", "containds_hub.egress_namespaces",
                             "load" if policy else "unload"],
                environment={RULES_VARIABLE: policy.restore_input() if policy else ""},
                network_mode=f"container:{container}", user="0", cap_drop=["ALL"], cap_add=["NET_ADMIN", "NET_RAW"],
                labels={ROLE_LABEL: "egress-helper"}, remove=True, stderr=True)
        except (docker.errors.ContainerError, docker.errors.APIError) as error:
            # The container stopped meanwhile, most often; the next look tries again if it still runs.
            LOG.warning("%s: %s", container[:12], str(error).strip()[-300:])
            return False
        if policy:
            LOG.info("policy on in %s: the hub at %s, DNS and public addresses; %s", container[:12], policy.hub,
                     ", ".join(f"{a.network}:{a.port or '*'}" for a in policy.allowed) or "nothing else")
        else:
            LOG.info("policy off in %s", container[:12])
        return True


def watch(client: Any, network: str, hub_host: str, enabled: bool, allowed: Sequence[Allowed]) -> None:
    """Until SIGTERM: the policy in every new server's namespace as soon as it starts (the engine's events), and
    in line with the hub's address; on SIGTERM, removed from every server of this node."""
    me = client.containers.get(socket.gethostname())  # a task's hostname is its container's id
    enforcer = Enforcer(client, network, hub_host, me.attrs["Config"]["Image"], enabled, allowed)
    wake, stopping = threading.Event(), threading.Event()

    def stop(*_: object) -> None:
        stopping.set()
        wake.set()

    def events() -> None:
        for _ in client.events(decode=True, filters={"type": "container", "event": "start"}):
            wake.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=events, daemon=True).start()
    LOG.info("policy %s for servers on %s (each server's own namespace)", "on" if enabled else "off", network)
    while not stopping.is_set():
        wake.clear()
        try:
            enforcer.reconcile()
        except Exception as error:  # the engine or the network not there (yet): try again
            LOG.warning("cannot read network %s: %s", network, error)
        wake.wait(INTERVAL)
    enforcer.remove_all()
    LOG.info("rules removed")


def main(arguments: list[str]) -> None:
    if arguments == ["load"]:
        load(os.environ[RULES_VARIABLE])
    elif arguments == ["unload"]:
        unload()
    else:
        sys.exit(f"usage: python -m containds_hub.egress_namespaces load|unload (not {' '.join(arguments)!r})")


if __name__ == "__main__":
    main(sys.argv[1:])
