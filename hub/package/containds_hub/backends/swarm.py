"""Servers as Swarm services of one task (hub/docker-stack.yml): the hub on a manager, servers on any node."""

from __future__ import annotations

import logging
import socket
from typing import Any

from containds_hub import preflight
from containds_hub.backends.common import configure_docker_spawner
from containds_hub.dashboards import configure_dashboards, configure_source_servers
from containds_hub.release import Release
from containds_hub.settings import HubSettings

SPAWNER = "containds_hub.spawners.swarm.ContainDSSwarmSpawner"
NANO_CPUS = 1_000_000_000
# The compose file's `cpu_shares` for the hub, which a service's spec cannot set (bench/results-burst.md).
HUB_CPU_SHARES = 4096
UNAVAILABLE = ("not on Docker Swarm: a server's container runs on whichever node the swarm chose, and the hub can "
               "take snapshots only on its own node")


def configure(c: Any, settings: HubSettings, release: Release) -> None:
    import docker.types
    import docker.utils

    configure_dashboards(c, settings, release, SPAWNER)
    # A source server's container runs on whichever node the swarm chose, and the hub reaches only its own node's
    # engine: it cannot take the snapshot there (hub/README.md, "Source servers").
    configure_source_servers(c, settings, unavailable=UNAVAILABLE)
    configure_docker_spawner(c.DockerSpawner, settings, release)  # SwarmSpawner is a DockerSpawner
    engine = preflight.engine()
    preflight.check_swarm_manager(engine)
    # (Every node pulls the image from its registry when it runs a server: nothing to check for it here.)
    preflight.check_network(engine, c.DockerSpawner.network_name, "CDS_DOCKER_NETWORK", scope="swarm")
    _weigh_the_hub(engine)
    spawner = c.SwarmSpawner
    # A service's spec has no no-new-privileges (Docker API 1.41): dropping every capability is what keeps a
    # setuid binary from doing anything as root. The process limit is set on the Resources spec directly
    # (docker-py has no argument for it).
    resources = docker.types.Resources(
        mem_limit=docker.utils.parse_bytes(settings.mem_limit) if settings.mem_limit else None,
        cpu_limit=int(settings.cpu_limit * NANO_CPUS) if settings.cpu_limit else None,
    )
    if settings.pids_limit:
        resources.setdefault("Limits", {})["Pids"] = settings.pids_limit
    spawner.extra_container_spec = {**spawner.get("extra_container_spec", {}), "cap_drop": ["ALL"],
                                    "healthcheck": docker.types.Healthcheck(test=["NONE"])}
    # A server that stops is not started again by the swarm: JupyterHub decides, as with containers; and a task
    # that cannot start is not retried in a loop, so the spawn fails at once (spawners/swarm.py).
    spawner.extra_task_spec = {**spawner.get("extra_task_spec", {}), "resources": resources,
                               "restart_policy": docker.types.RestartPolicy(condition="none")}
    spawner.extra_placement_spec = {"constraints": list(settings.swarm_constraints) or None}
    if settings.swarm_dashboard_constraints:
        spawner.dashboard_constraints = list(settings.swarm_dashboard_constraints)
        spawner.dashboard_placement = settings.swarm_dashboard_placement
    if settings.home_volume_options:  # shared storage every node mounts the same way (spawners/swarm.py)
        spawner.volume_driver = "local"
        spawner.volume_driver_options = dict(settings.home_volume_options)
    # The hub reaches each server at its task's address; DNS round robin gives services no virtual IP, which
    # needs the kernel's IPVS, which some hosts lack (one task needs no load balancer).
    spawner.extra_endpoint_spec = {"mode": "dnsrr"}
    # The hub reads a notebook server's start command from its image (DockerSpawner does, when none is set), so
    # the manager needs the image too: pulled once, from the registry every node pulls from. An image the
    # registry does not have fails the start right there, with the registry's answer.
    spawner.pull_policy = "ifnotpresent"


def _weigh_the_hub(engine: Any) -> None:
    """Give the hub's own container four times a server's CPU weight, as compose does: when ten servers start at
    once it still answers quickly. Best effort: outside a container of this engine, nothing to do."""
    import docker.errors

    try:
        engine.api.update_container(socket.gethostname(), cpu_shares=HUB_CPU_SHARES)  # a task's hostname: its id
    except docker.errors.APIError as error:
        logging.getLogger("containds-hub").info("the hub's CPU weight stays as it was: %s", error.explanation)
