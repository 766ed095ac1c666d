"""Viewers' grants (containds_hub.access) and servers' OAuth client ids (containds_hub.naming), as pure logic;
tests/hub performs the attacks against a real hub."""

from __future__ import annotations

import itertools
from urllib.parse import unquote

from containds_hub.access import USER_ROLE, Grant, merge_roles, usable_grants
from containds_hub.naming import dashboard_server_name, unique_client_id


def test_a_grant_is_the_access_scope_of_exactly_that_dashboards_server() -> None:
    grant = Grant(7, "sales", "alice", anyone=False, group="dash-sales")
    assert grant.server == dashboard_server_name("sales")
    assert grant.scope == f"access:servers!server=alice/{grant.server}"
    assert grant.role == "cds-dashboard-sales-7"


def test_roles_of_colliding_names_stay_apart() -> None:
    """bob's dashboard "Dash Z" and bob-dash's dashboard "Z" have different servers' scopes and roles."""
    first = Grant(1, "dash-z", "bob", anyone=False, group="dash-dash-z")
    second = Grant(2, "z", "bob-dash", anyone=False, group="dash-z")
    assert first.scope != second.scope
    assert first.role != second.role


def test_unusable_rows_are_skipped_and_the_rest_kept() -> None:
    rows = [(1, "ok", "alice", True, None), (2, "../x", "alice", False, "g"), (3, "fine", None, False, "g"),
            ("4", "str-id", "alice", False, "g"), (5, "no-group", "carol", False, None)]
    grants = usable_grants(rows)
    assert [(g.dashboard_id, g.anyone, g.group) for g in grants] == [(1, True, None), (5, False, None)]


def test_the_operators_roles_are_kept_and_the_user_role_merged() -> None:
    declared = [{"name": "user", "scopes": ["self", "read:users"]}, {"name": "teachers", "scopes": ["admin:users"]},
                {"name": "cds-dashboard-x-1", "scopes": ["admin:servers"]}]
    grants = [{"name": USER_ROLE, "scopes": ["self", "access:servers!server=a/dash-x"]},
              {"name": "cds-dashboard-x-1", "scopes": ["access:servers!server=a/dash-x"], "groups": ["dash-x"]}]
    merged = {role["name"]: role for role in merge_roles(declared, grants)}
    assert merged["user"]["scopes"] == ["self", "read:users", "access:servers!server=a/dash-x"]
    assert merged["teachers"] == declared[1]
    assert merged["cds-dashboard-x-1"]["scopes"] == ["access:servers!server=a/dash-x"]  # the hub's name wins


def test_client_ids_never_collide_and_split_back() -> None:
    names = ["bob", "bob-dash", "dash", "a!b", "a%21b", "ü", "x/y", ""]
    pairs = list(itertools.product(names, repeat=2))
    ids = {unique_client_id(user, server) for user, server in pairs}
    assert len(ids) == len(pairs)
    for user, server in pairs:
        quoted_user, quoted_server = unique_client_id(user, server).removeprefix("jupyterhub-user-").split("!")
        assert (unquote(quoted_user), unquote(quoted_server)) == (user, server)
