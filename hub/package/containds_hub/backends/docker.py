"""Servers as containers on one Docker engine: the compose deployment, or your own hub next to its engine."""

from __future__ import annotations

from typing import Any

from containds_hub import preflight
from containds_hub.backends.common import configure_docker_spawner
from containds_hub.dashboards import configure_dashboards, configure_source_servers
from containds_hub.release import Release
from containds_hub.settings import HubSettings

SPAWNER = "containds_hub.spawners.docker.ContainDSDockerSpawner"


def configure(c: Any, settings: HubSettings, release: Release) -> None:
    configure_dashboards(c, settings, release, SPAWNER)
    configure_source_servers(c, settings)
    spawner = c.DockerSpawner
    configure_docker_spawner(spawner, settings, release)
    engine = preflight.engine()
    preflight.check_image(engine, spawner.image, "CDS_SINGLEUSER_IMAGE")
    preflight.check_network(engine, spawner.network_name, "CDS_DOCKER_NETWORK")
    spawner.remove = True  # containers are disposable; files live on the volume
    if settings.mem_limit:
        spawner.mem_limit = settings.mem_limit
    if settings.cpu_limit:
        spawner.cpu_limit = settings.cpu_limit
    # The images' HEALTHCHECK (a Python process every 3 s, as Jupyter Docker Stacks do it) is for `docker run`;
    # JupyterHub watches the servers it spawns itself, and a check per server every 3 s is CPU a hub full of
    # users pays for nothing (a dashboard server, with no Jupyter server to ask, would also show as unhealthy).
    spawner.extra_create_kwargs = {**spawner.get("extra_create_kwargs", {}), "healthcheck": {"test": ["NONE"]}}
    # No process in a server can gain privileges (setuid binaries, sudo) or hold capabilities: they run as the
    # notebook user and need none.
    host_config = dict(spawner.get("extra_host_config", {}))
    host_config["security_opt"] = [*host_config.get("security_opt", []), "no-new-privileges:true"]
    host_config["cap_drop"] = ["ALL"]
    if settings.pids_limit:
        host_config["pids_limit"] = settings.pids_limit
    spawner.extra_host_config = host_config
