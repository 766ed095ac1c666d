"""What the Docker and Swarm backends set alike: the image, users' choice of images, names, the network, the home
volume and the command's working directory."""

from __future__ import annotations

from typing import Any

from containds_hub.dashboards import choose
from containds_hub.log import LOG
from containds_hub.release import Release
from containds_hub.settings import HubSettings

# cdsdashboards' documentation suggests this name template; it gives user bob's server dash-z and user bob-dash's
# server z one name, and a start of either removed the other's container. DockerSpawner's own default,
# "{prefix}-{username}--{servername}" with both parts escaped, cannot collide.
COLLIDING_NAME_TEMPLATE = "{prefix}-{username}-{servername}"
HOME = "/home/jovyan"


def configure_docker_spawner(spawner: Any, settings: HubSettings, release: Release) -> None:
    """The DockerSpawner traits (SwarmSpawner inherits them) of a hub whose servers run our images."""
    choose(spawner, "image", settings, "singleuser_image", settings.singleuser_image or release.singleuser_image)
    choose(spawner, "allowed_images", settings, "allowed_images", list(settings.allowed_images))  # empty: no choice
    choose(spawner, "prefix", settings, "container_prefix", settings.container_prefix)
    if spawner.get("name_template") == COLLIDING_NAME_TEMPLATE:
        LOG.warning("containds-hub: DockerSpawner.name_template %r lets two users' servers share a name; using "
                    "DockerSpawner's own, which cannot collide", COLLIDING_NAME_TEMPLATE)
        del spawner["name_template"]
    choose(spawner, "network_name", settings, "docker_network", settings.docker_network)
    choose(spawner, "use_internal_ip", settings, "docker_network", True)
    spawner.notebook_dir = HOME
    # One volume per user, mounted as the home of the notebook server and of every dashboard server of that user:
    # a dashboard serves exactly what its owner wrote.
    volumes = dict(spawner.get("volumes", {}))
    volumes = {source: target for source, target in volumes.items() if _target(target) != HOME}
    spawner.volumes = {**volumes, settings.home_volume: HOME}


def _target(volume: Any) -> str:
    return volume.get("bind", "") if isinstance(volume, dict) else str(volume)
