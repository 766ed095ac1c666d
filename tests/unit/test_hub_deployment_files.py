"""hub/docker-compose.yml, hub/docker-stack.yml and hub/README.md's settings table agree with the one declaration of
the hub's settings (containds_hub.settings.HubSettings): a setting added, renamed or given a new default there and
not here fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from containds_hub.settings import COMPOSE, SWARM, HubSettings, env_name, extra, settings_table

HUB_DIR = Path(__file__).resolve().parents[2] / "hub"
FILES = {COMPOSE: HUB_DIR / "docker-compose.yml", SWARM: HUB_DIR / "docker-stack.yml"}
PASSED = re.compile(r"\$\{(CDS_[A-Z_]+)(:-[^}]*|:\?[^}]*)?\}")  # ${CDS_X}, ${CDS_X:-default}, ${CDS_X:?message}


def _hub_environment(kind: str) -> dict[str, str]:
    document = yaml.safe_load(FILES[kind].read_text())
    return {str(name): str(value) for name, value in document["services"]["hub"]["environment"].items()}


@pytest.mark.parametrize("kind", [COMPOSE, SWARM])
def test_the_deployment_file_passes_exactly_the_settings_declared_for_it(kind: str) -> None:
    environment = _hub_environment(kind)
    wanted = {env_name(field) for field in HubSettings.model_fields if kind in extra(field)["files"]}
    fixed = {env_name(field): value for field in HubSettings.model_fields
             for where, value in extra(field)["fixed"].items() if where == kind}
    assert set(environment) == wanted | set(fixed), f"{FILES[kind].name} passes {sorted(environment)}"
    for name in wanted:
        match = PASSED.fullmatch(environment[name])
        assert match and match.group(1) == name, f"{FILES[kind].name}: {name}: {environment[name]!r}"
        default = (match.group(2) or "").removeprefix(":-")
        assert not default or default.startswith(":?") or default == HubSettings.model_fields[
            name.removeprefix("CDS_").lower()].default, f"{name} defaults to {default!r}, not the hub's default"
    for name, value in fixed.items():
        assert environment[name] == value, f"{FILES[kind].name}: {name} is {environment[name]!r}, {value!r} expected"


def test_the_readme_table_is_the_declaration() -> None:
    """The first table under "Environment variables" (the next one holds the deployment files' own variables)."""
    lines = (HUB_DIR / "README.md").read_text().split("## Environment variables", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| variable |")) + 2
    rows = [line for line in lines[start:] if line.startswith("|")]
    rows = rows[:next((i for i, line in enumerate(lines[start:]) if not line.startswith("|")), len(rows))]
    assert rows == settings_table(), "hub/README.md's settings table differs from containds_hub.settings"


def test_the_hub_weighs_the_same_on_compose_and_swarm() -> None:
    """Compose sets the hub's CPU weight in its file; on Swarm the hub sets it on its own container (a service's
    spec has no field for it): one value."""
    from containds_hub.backends.swarm import HUB_CPU_SHARES

    compose = yaml.safe_load(FILES[COMPOSE].read_text())
    assert compose["services"]["hub"]["cpu_shares"] == HUB_CPU_SHARES
