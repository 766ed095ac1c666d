"""A container helper that tests use to run commands or servers and that always removes what it started."""

from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from tests.waiting import WaitTimeout, wait_until


@dataclass(frozen=True)
class Health:
    """A container's health: "healthy", "starting" or "unhealthy", "exited", or "none" (no healthcheck)."""

    status: str
    checks: tuple[str, ...]  # the last healthchecks (State.Health.Log): when each ended, its exit code and output
    log: str  # the end of the container's own log

    @classmethod
    def of(cls, container: Container) -> Health:
        health = container.attrs["State"].get("Health") or {}
        checks = tuple(f"{check.get('End', '?')} exit {check.get('ExitCode')}: {(check.get('Output') or '').strip()}"
                       for check in health.get("Log") or [])
        return cls(health_status(container), checks, container.logs(tail=40).decode("utf-8", "replace"))

    @property
    def evidence(self) -> str:
        checks = "\n".join(self.checks) or "(none)"
        return f"health: {self.status}\nlast healthchecks:\n{checks}\ncontainer log (last lines):\n{self.log}"


def health_status(container: Container) -> str:
    """The status of a container's healthcheck as last reloaded; "exited" once it stopped."""
    if container.status in ("exited", "dead"):
        return "exited"
    return (container.attrs["State"].get("Health") or {}).get("Status", "none")


class TrackedContainer:
    def __init__(self, client: docker.DockerClient, image: str) -> None:
        self.client = client
        self.image = image
        self.started: list[Container] = []

    def run(self, command: str | list[str] | None = None, timeout: int = 120, **kwargs: Any) -> tuple[int, str]:
        """Run to completion; returns the exit status and stdout and stderr together."""
        status, stdout, stderr = self._run(command, timeout, **kwargs)
        return status, stdout + stderr

    def check(self, command: str | list[str], timeout: int = 120, **kwargs: Any) -> str:
        """Run a command that must succeed; returns its stdout (start.sh's messages go to stderr)."""
        status, stdout, stderr = self._run(command, timeout, **kwargs)
        assert status == 0, f"{command!r} exited {status}:\n{stdout}{stderr}"
        return stdout

    def streams(self, command: str | list[str] | None, timeout: int = 120, **kwargs: Any) -> tuple[int, str, str]:
        """Run to completion; returns the exit status, stdout and stderr apart."""
        return self._run(command, timeout, **kwargs)

    def _run(self, command: str | list[str] | None, timeout: int, **kwargs: Any) -> tuple[int, str, str]:
        container = self.start(command, **kwargs)
        try:
            status = container.wait(timeout=timeout)["StatusCode"]
        finally:
            stdout = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
            stderr = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
        return status, stdout, stderr

    def start(self, command: str | list[str] | None = None, **kwargs: Any) -> Container:
        container = self.client.containers.run(self.image, command, detach=True, **kwargs)
        self.started.append(container)
        return container

    def wait_for_health(self, container: Container, timeout: float = 240) -> Health:
        """Wait until the HEALTHCHECK says healthy, the container exits, or `timeout` passes. "unhealthy" is no
        answer: Docker says so after three failed checks of a server still starting on a busy machine, and healthy
        again once it answers. The result has the health log (each check's output) to show why it is not healthy."""
        def settled() -> bool:
            container.reload()
            return health_status(container) in ("healthy", "exited", "none")

        with contextlib.suppress(WaitTimeout):  # still starting, or unhealthy: the result says which, and why
            wait_until(settled, timeout, interval=1)
        container.reload()
        return Health.of(container)

    def remove(self) -> None:
        for container in self.started:
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
        self.started.clear()


def ip_address(container: Container) -> str:
    container.reload()
    networks = container.attrs["NetworkSettings"]["Networks"]
    return next(iter(networks.values()))["IPAddress"]


def listening_sockets(container: Container) -> set[tuple[str, int]]:
    """Every TCP socket listening in a running container, as (address, port), read from the kernel's tables
    (/proc/net/tcp and tcp6 of the container's network namespace)."""
    result = container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
    assert result.exit_code == 0, result.output.decode("utf-8", "replace")
    sockets = set()
    for line in result.output.decode().splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A":  # 0A: LISTEN (the header line has "st" there)
            continue
        address, port = fields[1].split(":")
        sockets.add((_address(address), int(port, 16)))
    return sockets


def exposed_ports(container: Container) -> set[int]:
    """Ports a container listens on beyond its loopback interface: what other containers can open."""
    return {port for address, port in listening_sockets(container) if not _is_loopback(address)}


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _address(hex_address: str) -> str:
    """A /proc/net/tcp address: 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))
