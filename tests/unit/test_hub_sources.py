"""Which servers a dashboard's form may name as its source (containds_hub.sources), as pure logic;
tests/hub/test_source_servers.py posts the same values to a real hub."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from containds_hub.naming import dashboard_server_name
from containds_hub.sources import Refused, SourceServers, parse, source_servers


@dataclass
class OrmSpawner:
    server: object | None = None  # running when not None


@dataclass
class OrmUser:
    orm_spawners: dict[str, OrmSpawner] = field(default_factory=dict)


ALICE = OrmUser({"": OrmSpawner(server=object()), "env": OrmSpawner(), dashboard_server_name("sales"): OrmSpawner()})
OPTIONAL, REQUIRED, OFF = SourceServers("optional"), SourceServers("required"), SourceServers("off")


def test_the_form_offers_the_owners_notebook_servers_running_or_stopped_never_a_dashboards() -> None:
    assert [(c.name, c.label, c.running) for c in source_servers(ALICE)] == [
        ("", "My Server (default)", True), ("env", "env", False)]
    assert [c.name for c in source_servers(OrmUser())] == [""]  # the default server, even before its first start


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("server:", {"server": ""}),
                                                 ("server:env", {"server": "env"})])
def test_an_own_server_or_none_is_accepted(value: str | None, expected: dict[str, str] | None) -> None:
    assert parse(value, ALICE, OPTIONAL) == expected


@pytest.mark.parametrize("value", ["server:stash", f"server:{dashboard_server_name('sales')}", "server:../bob/x",
                                   "bob/", "env", "server", "server:env/", "server:\x00"])
def test_anything_else_is_refused(value: str) -> None:
    with pytest.raises(Refused, match="one of your own notebook servers expected"):
        parse(value, ALICE, OPTIONAL)


def test_the_operators_policy_holds() -> None:
    with pytest.raises(Refused, match="choose one of yours"):
        parse("", ALICE, REQUIRED)
    assert parse("server:env", ALICE, REQUIRED) == {"server": "env"}
    with pytest.raises(Refused, match="not available"):
        parse("server:env", ALICE, OFF)
    assert parse(None, ALICE, OFF) is None
    with pytest.raises(Refused, match="not on Docker Swarm"):
        parse("server:", ALICE, SourceServers("optional", unavailable="not on Docker Swarm"))
    assert parse(None, ALICE, SourceServers("required", unavailable="not on Docker Swarm")) is None
