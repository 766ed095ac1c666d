"""The hub as hub/README.md deploys it (hub/docker-compose.yml), with test names for everything it creates.

Every name a deployment can choose is set to a test value (network, data volume, container prefix, home
volume pattern, hub name), so the tests also prove that those settings work, and that nothing the tests make
collides with a hub an operator runs on the same engine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import requests
from docker.models.containers import Container

from tests.conftest import PROJECT_DIR
from tests.hub.hubclient import HubUser
from tests.waiting import wait_until

COMPOSE_FILE = PROJECT_DIR / "hub" / "docker-compose.yml"
PROJECT = "containds-e2e"
ADMIN = "alice"  # CDS_ADMIN_USERS


def names(project: str) -> dict[str, str]:
    """Every name a deployment chooses, for one compose project of the tests."""
    return {
        "CDS_HUB_HOST": f"{project}-hub",
        "CDS_DOCKER_NETWORK": f"{project}-net",
        "CDS_DATA_VOLUME": f"{project}-data",
        "CDS_CONTAINER_PREFIX": project,
        "CDS_HOME_VOLUME": f"{project}-home-{{username}}",
    }


@dataclass
class Hub:
    base_url: str
    password: str
    environment: dict[str, str]
    client: docker.DockerClient
    line: str  # the JupyterHub line of its image
    project: str = PROJECT
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.environment["CDS_HUB_HOST"]

    def user(self, name: str) -> HubUser:
        return HubUser(self.base_url, name, self.password)

    def logged_in(self, name: str) -> HubUser:
        """A user logged in afresh (a new session; the dummy authenticator makes the user on first login)."""
        user = self.user(name)
        user.login()
        return user

    def working_user(self, name: str) -> HubUser:
        """A user logged in, with their notebook server running (to write files, to attack from)."""
        user = self.logged_in(name)
        user.start_server()
        return user

    def admin(self) -> HubUser:
        return self.logged_in(ADMIN)

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker-compose", "-p", self.project, "-f", str(COMPOSE_FILE), *args],
                              env=self.environment, capture_output=True, text=True, timeout=300)

    @contextlib.contextmanager
    def egress_off(self) -> Iterator[None]:
        """The deployment with its egress policy off (CDS_EGRESS=false), then on again."""
        self._set_egress("false")
        try:
            yield
        finally:
            self._set_egress("")

    def _set_egress(self, value: str) -> None:
        from containds_hub.egress import Chains

        self.environment["CDS_EGRESS"] = value
        result = self.compose("up", "-d", "egress")
        assert result.returncode == 0, result.stderr
        chain = Chains.of(self.environment["CDS_CONTAINER_PREFIX"]).forward
        wait_until(lambda: (iptables("-S", chain) == 0) == (value != "false"), 60,
                   message=f"the egress policy did not turn {'off' if value == 'false' else 'on'}")

    def wait_until_up(self, timeout: float = 120) -> float:
        """Wait until the hub's API answers; returns the seconds it took."""
        return wait_until_answering(self.base_url, timeout, lambda: self.logs(60))

    def restart(self) -> float:
        """`docker restart` the hub; returns the seconds until its API answers again."""
        started = time.monotonic()
        result = subprocess.run(["docker", "restart", self.host], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        self.wait_until_up()
        return time.monotonic() - started

    def logs(self, tail: int | None = None) -> str:
        container = self.client.containers.get(self.host)
        return container.logs(tail=tail if tail is not None else "all").decode("utf-8", "replace")

    def server_state(self, user: str, server: str = "") -> dict[str, Any]:
        """What the hub recorded about a running server (the admin may read it), e.g. its container's id."""
        model = self.admin().api("GET", f"users/{user}").json()
        return model["servers"][server]["state"]

    def stop_servers(self, *users: str) -> None:
        """Stop every server of these users (what a test module started and no longer needs), as the admin."""
        admin = self.admin()
        for user in users:
            model = admin.api("GET", f"users/{user}")
            for server in (model.json().get("servers", {}) if model.status_code == 200 else {}):
                path = f"users/{user}/servers/{server}" if server else f"users/{user}/server"
                admin.api("DELETE", path)

    def container_of(self, user: str, server: str = "") -> Container:
        return self.client.containers.get(self.server_state(user, server)["object_id"])

    def remove_leftovers(self) -> None:
        """Spawned containers and the users' home volumes of an earlier run (the compose down takes the rest: the
        hub's own containers are not spawned ones)."""
        prefix = self.environment["CDS_CONTAINER_PREFIX"] + "-"
        own = {self.host, f"{self.host}-egress"}
        for container in self.client.containers.list(all=True, filters={"name": prefix}):
            if container.name.startswith(prefix) and container.name not in own:
                with contextlib.suppress(docker.errors.NotFound):  # the hub removing it at the same time
                    container.remove(force=True)
        volume_prefix = self.environment["CDS_HOME_VOLUME"].split("{username}")[0]
        for volume in self.client.volumes.list():
            if volume.name.startswith(volume_prefix):
                with contextlib.suppress(docker.errors.APIError):
                    volume.remove(force=True)


def wait_until_answering(base_url: str, timeout: float, logs: Callable[[], str]) -> float:
    """Wait until the hub at `base_url` answers its API with 200: before that it refuses connections, or accepts
    them without answering, and JupyterHub 5 answers 404 for a moment after it starts. Returns the seconds it
    took; fails with the last answer and the hub's `logs`."""
    started = time.monotonic()

    def answers() -> bool:
        status = requests.get(f"{base_url}/hub/api", timeout=5).status_code
        assert status == 200, f"/hub/api answered {status}"
        return True

    wait_until(answers, timeout, interval=0.5, ignoring=(AssertionError, requests.RequestException),
               message=lambda: f"the hub at {base_url} did not come up within {timeout:.0f} s:\n{logs()}")
    return time.monotonic() - started


@dataclass
class HubUsers:
    """Users of one hub, each logged in afresh when asked for; `stop_servers` stops every server of every one of
    them (what a test module started, so that the next module runs with fewer containers)."""

    hub: Hub
    names: list[str] = field(default_factory=list)

    def __call__(self, name: str, *, working: bool = False) -> HubUser:
        """`name` logged in (a new session: a new OAuth exchange with every server it opens); `working`: with
        their notebook server running."""
        self.names.append(name)  # first: a user whose server failed to start half-way is stopped too
        return self.hub.working_user(name) if working else self.hub.logged_in(name)

    def stop_servers(self) -> None:
        self.hub.stop_servers(*dict.fromkeys(self.names))


def hub_environment(project: str, hub_image: str, singleuser_image: str,
                    settings: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a deployment of the tests is made with: the project's names, the images, a free port,
    the dummy authenticator with a fresh shared password, and any further CDS_* `settings`."""
    return {
        **os.environ,
        **names(project),
        "CDS_HUB_IMAGE": hub_image,
        "CDS_SINGLEUSER_IMAGE": singleuser_image,
        "CDS_PUBLISHED_PORT": str(free_port()),
        "CDS_AUTHENTICATOR": "dummy",
        "CDS_DUMMY_PASSWORD": secrets.token_urlsafe(12),
        "CDS_ADMIN_USERS": ADMIN,
        "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid),
        **(settings or {}),
    }


def start_hub(client: docker.DockerClient, project: str, line: str, hub_image: str, singleuser_image: str,
              **settings: str) -> Hub:
    """A hub from hub/docker-compose.yml under its own compose project and names (and any further CDS_* settings),
    after removing what an earlier run of the same project left."""
    environment = hub_environment(project, hub_image, singleuser_image, settings)
    hub = Hub(f"http://127.0.0.1:{environment['CDS_PUBLISHED_PORT']}", environment["CDS_DUMMY_PASSWORD"],
              environment, client, line, project)
    hub.compose("down", "-v")
    hub.remove_leftovers()
    result = hub.compose("up", "-d")
    assert result.returncode == 0, result.stderr
    hub.wait_until_up()
    return hub


@contextlib.contextmanager
def deployed_hub(client: docker.DockerClient, project: str, line: str, hub_image: str, singleuser_image: str,
                 **settings: str) -> Iterator[Hub]:
    """A hub of its own for a test module (start_hub), its log kept in build/<project>.log, removed at the end."""
    hub = start_hub(client, project, line, hub_image, singleuser_image, **settings)
    try:
        yield hub
    finally:
        with contextlib.suppress(docker.errors.DockerException):
            (PROJECT_DIR / "build" / f"{project}.log").write_text(hub.logs())  # to read when a test failed
        stop_hub(hub)


def stop_hub(hub: Hub) -> None:
    """Remove the hub, everything it spawned and every volume (unless CDS_E2E_KEEP is set, to look at it). The
    egress service stops first, on its own, so that it removes its rules."""
    if not keeping():
        hub.compose("stop", "egress")
        hub.remove_leftovers()
        hub.compose("down", "-v")


def iptables(*arguments: str) -> int:
    """The host's iptables (the tests run as root, where the engine runs), in the backend Docker's chains are in;
    returns its exit status."""
    for command in ("iptables-legacy", "iptables"):
        if subprocess.run([command, "-S", "DOCKER-USER"], capture_output=True).returncode == 0:
            return subprocess.run([command, *arguments], capture_output=True).returncode
    raise AssertionError("no DOCKER-USER chain in any iptables backend")


def keeping() -> bool:
    """CDS_E2E_KEEP set: leave the deployments the tests made, to look at them."""
    return bool(os.environ.get("CDS_E2E_KEEP"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
