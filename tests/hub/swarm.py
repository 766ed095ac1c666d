"""The hub as hub/README.md deploys it on Docker Swarm (hub/docker-stack.yml), from images in a registry.

The tests make their own swarm when the engine is in none (and keep it: `swarm_mode` says why), push the hub
and singleuser images to a throw-away registry with `python -m buildtool push`, and deploy the stack with those
references, as an operator of several nodes does.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import docker
import docker.errors
from docker.models.containers import Container

from tests.conftest import PROJECT_DIR
from tests.hub.deployment import Hub, hub_environment
from tests.hub.nodes import bridge_address
from tests.waiting import wait_until

STACK_FILE = PROJECT_DIR / "hub" / "docker-stack.yml"


@contextmanager
def swarm_mode(client: docker.DockerClient) -> Iterator[None]:
    """The engine as a swarm manager: a swarm made here unless it already was one, and kept afterwards. Leaving it
    stops containers on networks made while the engine was in it (the compose hubs other test workers run at the
    same time), and an engine that left a swarm and made another keeps its gossip keys until it restarts: a second
    node then joins but cannot reach the manager's service records (seen here: "No installed keys could decrypt
    the message"). `docker swarm leave --force` undoes it. It advertises the host's bridge address, which a node
    in a container reaches (tests/hub/nodes.py)."""
    if client.info()["Swarm"]["LocalNodeState"] != "active":
        result = subprocess.run(["docker", "swarm", "init", "--advertise-addr", bridge_address()],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"docker swarm init: {result.stderr}"
    yield


def push_to(client: docker.DockerClient, registry: str, *targets: str) -> dict[str, str]:
    """Push the targets' images with the build tool, every tag, then untag them here (the swarm pulls them, as
    other nodes would); returns each target's reference in the registry (its first tag, the one the matrix
    pins)."""
    result = subprocess.run([sys.executable, "-m", "buildtool", "push", *targets, "--registry", registry, "--json"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    references: dict[str, str] = {}
    for row in json.loads(result.stdout):
        assert row["ok"], row
        if row.get("kind", "image") != "image":
            continue  # the image's SBOM beside it: no local image
        references.setdefault(row["target"], row["reference"])
        client.images.remove(row["reference"])  # the tag only: the image keeps its own tags
    return references


@dataclass
class SwarmHub(Hub):
    """The stack `project`: its hub service `<project>_hub`, the servers it spawns as services."""

    @property
    def service(self) -> str:
        return f"{self.project}_hub"

    def stack(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", "stack", *args], env=self.environment, capture_output=True, text=True,
                              timeout=300)

    def restart(self) -> float:
        """`docker service update --force` the hub (a new task, the same volume); seconds until its API answers."""
        started = time.monotonic()
        result = subprocess.run(["docker", "service", "update", "--force", "--detach=false", "--quiet",
                                 self.service], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        self.wait_until_up()
        return time.monotonic() - started

    def logs(self, tail: int | None = None) -> str:
        try:
            result = subprocess.run(["docker", "service", "logs", "--raw", "--tail", str(tail or "all"),
                                     self.service], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:  # the engine streams logs of tasks being removed slowly
            return "(docker service logs did not answer within 60 s)"
        return result.stdout + result.stderr

    def tasks(self, service: str) -> list[dict]:
        return self.client.api.tasks(filters={"service": service})

    def container_of(self, user: str, server: str = "") -> Container:
        """The container of the running task of the server's service (one node: it runs here)."""
        service = self.server_state(user, server)["object_id"]
        running = [t for t in self.tasks(service) if t["Status"]["State"] == "running"]
        assert len(running) == 1, f"{user}/{server}: {len(running)} running tasks"
        return self.client.containers.get(running[0]["Status"]["ContainerStatus"]["ContainerID"])

    def spawned_services(self) -> list[dict]:
        prefix = self.environment["CDS_CONTAINER_PREFIX"] + "-"
        return [s for s in self.client.api.services() if s["Spec"]["Name"].startswith(prefix)]

    def remove_leftovers(self) -> None:
        """Spawned services, their containers, and the users' home volumes of an earlier run."""
        for service in self.spawned_services():
            with contextlib.suppress(docker.errors.NotFound):
                self.client.api.remove_service(service["ID"])
        prefix = self.environment["CDS_CONTAINER_PREFIX"] + "-"
        _wait_until_gone(self.client, lambda labels: labels.get("com.docker.swarm.service.name", "").startswith(prefix))
        volume_prefix = self.environment["CDS_HOME_VOLUME"].split("{username}")[0]
        for volume in self.client.volumes.list():
            if volume.name.startswith(volume_prefix):
                with contextlib.suppress(docker.errors.APIError):
                    volume.remove(force=True)


def deploy_swarm_hub(client: docker.DockerClient, project: str, line: str, hub_image: str, singleuser_image: str,
                     **settings: str) -> SwarmHub:
    """The stack from hub/docker-stack.yml under its own names, after removing what an earlier run left."""
    environment = hub_environment(project, hub_image, singleuser_image, settings)
    hub = SwarmHub(f"http://127.0.0.1:{environment['CDS_PUBLISHED_PORT']}", environment["CDS_DUMMY_PASSWORD"],
                   environment, client, line, project)
    remove_swarm_hub(hub)
    result = hub.stack("deploy", "--compose-file", str(STACK_FILE), project)
    assert result.returncode == 0, result.stderr
    hub.wait_until_up(timeout=240)
    return hub


def remove_swarm_hub(hub: SwarmHub) -> None:
    """The stack, everything its hub spawned, its network and every volume."""
    hub.remove_leftovers()
    hub.stack("rm", hub.project)
    _wait_until_gone(hub.client, lambda labels: labels.get("com.docker.stack.namespace") == hub.project)
    wait_until(lambda: _network_removed(hub), 120, interval=1, ignoring=(docker.errors.APIError,),
               message=f"the stack's network {hub.environment['CDS_DOCKER_NETWORK']} is still there")
    with contextlib.suppress(docker.errors.NotFound):
        hub.client.volumes.get(hub.environment["CDS_DATA_VOLUME"]).remove(force=True)
    hub.remove_leftovers()


def _network_removed(hub: SwarmHub) -> bool:
    """Remove the stack's network (it goes once its tasks are gone; until then, removing it is an APIError);
    True once there is none."""
    try:
        network = hub.client.networks.get(hub.environment["CDS_DOCKER_NETWORK"])
    except docker.errors.NotFound:
        return True
    network.remove()
    return False  # the next call sees whether it is gone


def _wait_until_gone(client: docker.DockerClient, matches: Callable[[dict[str, str]], bool],
                     timeout: float = 120) -> None:
    """Services and stacks are removed in the background: wait until no matching container is left (removing
    those that stopped)."""
    def gone() -> bool:
        # One listing call: the high-level list inspects each container after, and they vanish in between.
        left = [c for c in client.api.containers(all=True) if matches(c.get("Labels") or {})]
        for container in left:
            if container["State"] in ("exited", "dead", "created"):
                with contextlib.suppress(docker.errors.APIError):
                    client.api.remove_container(container["Id"], force=True, v=True)
        described = [f"{c['Names'][0] if c.get('Names') else c['Id'][:12]} ({c['State']})" for c in left]
        assert not left, f"still there: {', '.join(described)}"
        return True

    wait_until(gone, timeout, interval=1, ignoring=(AssertionError,),
               message=f"containers still there after {timeout:.0f} s")
