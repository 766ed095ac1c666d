"""Each server a container on one Docker engine (hub/docker-compose.yml, or your own hub's engine)."""

from __future__ import annotations

from cdsdashboards.hubextension.spawners.variabledocker import VariableDockerSpawner

from containds_hub.spawners import ContainDSSpawnerMixin


class ContainDSDockerSpawner(ContainDSSpawnerMixin, VariableDockerSpawner):
    """cdsdashboards' VariableDockerSpawner with the checks every backend has."""
