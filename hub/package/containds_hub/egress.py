"""What users' servers may reach: the hub, DNS and public addresses; not the cloud's metadata address, other private
or link-local ranges, the Docker host itself, or one another.

The policy is a set of iptables rules in two chains of this deployment's own, jumped to from Docker's DOCKER-USER
chain (traffic the host forwards: to other containers and to other machines) and from INPUT (traffic to the host's
own addresses), for packets from the servers' network only. `python -m containds_hub.egress` (the compose file's
`egress` service, on the host's network with NET_ADMIN) installs them, keeps them in line with the hub's address
as the hub restarts, and removes them when it is stopped. `rules` is pure: unit-tested on its own. On Swarm the
same service enforces the same policy inside each server's own network namespace instead (`egress_namespaces`).

Replies to connections the hub opens pass (connection tracking), so the hub still reaches every server. DNS needs
no rule: on a user-defined network each container asks Docker's resolver inside its own namespace, and the
engine, not the container, asks the host's servers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

LOG = logging.getLogger("containds-egress")
METADATA = "169.254.169.254/32"  # every major cloud's instance metadata (credentials): named on its own line
# Not routable on the internet: the host's LAN and VPC, link-local, shared address space, loopback, multicast.
PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
           "224.0.0.0/4", "240.0.0.0/4", "0.0.0.0/8")
HUB_PORTS = (8081, 8000)  # the hub's API (servers report to it), and its proxy
ALLOW = re.compile(r"(?P<net>[0-9.]+(/[0-9]{1,2})?)(:(?P<port>[0-9]{1,5}))?")
INTERVAL = 5  # seconds between two looks at the hub's address
REJECT = ["-j", "REJECT", "--reject-with", "icmp-admin-prohibited"]  # an answer at once, not a hang


@dataclass(frozen=True)
class Allowed:
    """An operator's extra destination: an address or network, and a TCP port or every port."""

    network: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> Allowed:
        match = ALLOW.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{text!r}: an address or network with an optional port expected (10.1.2.3:5432)")
        network = str(ipaddress.ip_network(match.group("net"), strict=False))
        port = int(match.group("port")) if match.group("port") else None
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"{text!r}: a port from 1 to 65535 expected")
        return cls(network, port)

    def match(self) -> list[str]:
        return ["-d", self.network, *(["-p", "tcp", "--dport", str(self.port)] if self.port else [])]


@dataclass(frozen=True)
class Chains:
    forward: str  # jumped to from DOCKER-USER
    input: str  # jumped to from INPUT

    @classmethod
    def of(cls, deployment: str) -> Chains:
        digest = hashlib.sha256(deployment.encode()).hexdigest()[:10]  # chain names hold 28 characters
        return cls(f"CDS-EGRESS-{digest}", f"CDS-HOSTIN-{digest}")


def rules(chains: Chains, servers: str, hub: str, allowed: Sequence[Allowed]) -> list[list[str]]:
    """iptables commands (without `iptables`) filling both chains, from empty: `servers` is the servers' network
    (CIDR), `hub` the hub's address on it."""
    reject, forward, host = REJECT, chains.forward, chains.input
    commands = [
        ["-A", forward, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"],
        ["-A", forward, "!", "-s", servers, "-j", "RETURN"],  # not from a server: not this policy's business
        ["-A", forward, "-s", f"{hub}/32", "-j", "RETURN"],  # the hub reaches everything it needs
        *(["-A", forward, *a.match(), "-j", "RETURN"] for a in allowed),
        ["-A", forward, "-d", f"{hub}/32", "-p", "tcp", "-m", "multiport", "--dports",
         ",".join(map(str, HUB_PORTS)), "-j", "RETURN"],
        ["-A", forward, "-d", METADATA, *reject],
        ["-A", forward, "-d", servers, *reject],  # another user's server
        *(["-A", forward, "-d", network, *reject] for network in PRIVATE),
        ["-A", forward, "-j", "RETURN"],  # public addresses: package indexes, the web
        ["-A", host, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"],
        ["-A", host, "!", "-s", servers, "-j", "RETURN"],
        ["-A", host, "-s", f"{hub}/32", "-j", "RETURN"],
        *(["-A", host, *a.match(), "-j", "RETURN"] for a in allowed),
        ["-A", host, *reject],  # the host's own services, the Docker API on TCP among them
    ]
    return commands


def jumps(chains: Chains, bridge: str) -> list[list[str]]:
    """Where the chains hook in (`-I` to add, `-D` with the same arguments to remove)."""
    return [["DOCKER-USER", "-j", chains.forward], ["INPUT", "-i", bridge, "-j", chains.input]]


class Iptables:
    """The iptables of the host's network namespace, with the backend Docker's own chains are in."""

    def __init__(self) -> None:
        candidates = [name for name in ("iptables-legacy", "iptables-nft", "iptables") if shutil.which(name)]
        self.command = next((c for c in candidates if self.run([c, "-S", "DOCKER-USER"], check=False) == 0), None)
        if self.command is None:
            raise RuntimeError("no DOCKER-USER chain in any iptables backend: is the Docker engine running here, "
                               "with its iptables rules (dockerd --iptables, the default)?")

    @staticmethod
    def run(command: list[str], check: bool = True) -> int:
        result = subprocess.run(command, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {result.stderr.strip()}")
        return result.returncode

    def __call__(self, *arguments: str, check: bool = True) -> int:
        return self.run([str(self.command), *arguments], check=check)


def install(iptables: Iptables, chains: Chains, bridge: str, servers: str, hub: str,
            allowed: Sequence[Allowed]) -> None:
    for chain in (chains.forward, chains.input):
        if iptables("-N", chain, check=False) != 0:
            iptables("-F", chain)
    for command in rules(chains, servers, hub, allowed):
        iptables(*command)
    for jump in jumps(chains, bridge):
        if iptables("-C", *jump, check=False) != 0:
            iptables("-I", *jump)


def remove(iptables: Iptables, chains: Chains, bridge: str) -> None:
    for jump in jumps(chains, bridge):
        while iptables("-C", *jump, check=False) == 0:
            iptables("-D", *jump)
    for chain in (chains.forward, chains.input):
        iptables("-F", chain, check=False)
        iptables("-X", chain, check=False)


def _network(client: object, name: str, hub_host: str) -> tuple[str, str, str | None]:
    """The servers' network: (its bridge's interface, its subnet, the hub's address on it or None)."""
    network = client.networks.get(name)  # type: ignore[attr-defined]
    attrs = network.attrs
    subnet = attrs["IPAM"]["Config"][0]["Subnet"]
    bridge = attrs.get("Options", {}).get("com.docker.network.bridge.name") or f"br-{attrs['Id'][:12]}"
    hub = next((c["IPv4Address"].split("/")[0] for c in (attrs.get("Containers") or {}).values()
                if c.get("Name") == hub_host), None)
    return bridge, subnet, hub


def main() -> None:
    import docker

    from containds_hub.settings import SettingsError, load_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s containds-egress: %(message)s")
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit("\n".join(f"containds-egress: configuration error: {problem}" for problem in error.problems))
    network_name, hub_host, deployment = settings.docker_network, settings.hub_host, settings.container_prefix
    enabled, allowed = settings.egress, [Allowed.parse(item) for item in settings.egress_allow]
    if settings.spawner == "swarm":  # overlay traffic between containers never reaches the host's chains
        from containds_hub.egress_namespaces import watch

        watch(docker.from_env(timeout=30), network_name, hub_host, enabled, allowed)
        return
    iptables, chains, client = Iptables(), Chains.of(deployment), docker.from_env(timeout=30)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    installed: tuple[str, str, str] | None = None
    bridge = ""
    while not stopping:
        try:
            bridge, servers, hub = _network(client, network_name, hub_host)
        except Exception as error:  # the network or the engine not there (yet): try again
            LOG.warning("cannot read network %s: %s", network_name, error)
            time.sleep(INTERVAL)
            continue
        if not enabled:
            if installed is None:
                remove(iptables, chains, bridge)
                LOG.info("policy off (CDS_EGRESS=off): servers on %s may reach anything", network_name)
                installed = (bridge, servers, "")
        elif hub is not None and installed != (bridge, servers, hub):
            install(iptables, chains, bridge, servers, hub, allowed)
            LOG.info("policy on for %s (%s, %s): the hub at %s, DNS and public addresses; %s", network_name, servers,
                     bridge, hub, ", ".join(f"{a.network}:{a.port or '*'}" for a in allowed) or "nothing else")
            installed = (bridge, servers, hub)
        time.sleep(INTERVAL)
    if bridge:
        remove(iptables, chains, bridge)
        LOG.info("rules removed")


if __name__ == "__main__":
    main()
