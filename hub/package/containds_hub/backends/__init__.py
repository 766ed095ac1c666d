"""The spawner backends: one module per way of running servers, each with `configure(c, settings, release)`.

A new backend (KubeSpawner, say) is one module here with its spawner in `containds_hub.spawners` and a line in
`BACKENDS`; `CDS_SPAWNER` names it.
"""

from __future__ import annotations

import importlib
from typing import Any

from containds_hub.release import Release
from containds_hub.settings import HubSettings

BACKENDS = {
    "docker": "containds_hub.backends.docker",  # containers on one engine (compose, or your own hub's engine)
    "swarm": "containds_hub.backends.swarm",  # Swarm services (hub/docker-stack.yml)
}


def configure_backend(c: Any, settings: HubSettings, release: Release) -> None:
    importlib.import_module(BACKENDS[settings.spawner]).configure(c, settings, release)
