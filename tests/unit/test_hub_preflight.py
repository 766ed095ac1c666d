"""The hub's checks of its engine at start (containds_hub.preflight), on engines that answer as Docker does."""

from __future__ import annotations

from typing import Any

import docker.errors
import pytest

from containds_hub.preflight import PreflightError, check_network, check_swarm_manager


class Engine:
    def __init__(self, swarm: dict[str, Any], networks: dict[str, dict[str, Any]]) -> None:
        self._swarm, self._networks = swarm, networks
        self.networks = self

    def info(self) -> dict[str, Any]:
        return {"Swarm": self._swarm}

    def get(self, name: str) -> Any:
        if name not in self._networks:
            raise docker.errors.NotFound(f"network {name} not found")
        return type("Network", (), {"attrs": self._networks[name]})()


def test_swarm_needs_a_manager() -> None:
    check_swarm_manager(Engine({"LocalNodeState": "active", "ControlAvailable": True}, {}))
    for worker_or_none in ({"LocalNodeState": "active", "ControlAvailable": False}, {"LocalNodeState": "inactive"}):
        with pytest.raises(PreflightError, match="CDS_SPAWNER=swarm: this engine is no swarm manager"):
            check_swarm_manager(Engine(worker_or_none, {}))


def test_the_network_must_exist_and_be_an_overlay_on_swarm() -> None:
    engine = Engine({}, {"local": {"Scope": "local"}, "overlay": {"Scope": "swarm"}})
    check_network(engine, "local", "CDS_DOCKER_NETWORK")
    check_network(engine, "overlay", "CDS_DOCKER_NETWORK", scope="swarm")
    with pytest.raises(PreflightError, match="CDS_DOCKER_NETWORK=missing: no such Docker network"):
        check_network(engine, "missing", "CDS_DOCKER_NETWORK")
    with pytest.raises(PreflightError, match="an overlay network expected with CDS_SPAWNER=swarm"):
        check_network(engine, "local", "CDS_DOCKER_NETWORK", scope="swarm")
