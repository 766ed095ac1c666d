"""Viewers' access to dashboards on JupyterHub >= 2, which cdsdashboards 0.6.3 never grants.

JupyterHub lets a user through the OAuth step of another user's server only with the scope
`access:servers!server=<owner>/<server>`; without it every viewer but the owner gets 403 (cdsdashboards
issue #98). This module grants exactly that scope, nothing wider:

- a dashboard for all users: the scope is added to JupyterHub's `user` role, which every user holds;
- a dashboard for selected users: a role `cds-view-<owner>-<server>` with the scope, held by the group
  `dash-<urlname>` in which cdsdashboards keeps the dashboard's viewers.

When: cdsdashboards respawns a dashboard's server after every edit, so `grant_on_spawn` (the spawner's
pre_spawn_hook) brings the grants in line each time (switching "selected" to "all" and back revokes what no
longer applies). At start-up JupyterHub deletes roles its configuration does not declare and resets the
`user` role, so `roles_from_database` re-declares every grant from cdsdashboards' `dashboards` table.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy

USER_ROLE = "user"
USER_ROLE_DEFAULT_SCOPES = ["self"]  # JupyterHub's own default for the user role
ROLE_PREFIX = "cds-view-"


def access_scope(owner: str, server: str) -> str:
    return f"access:servers!server={owner}/{server}"


def role_name(owner: str, server: str) -> str:
    """A valid JupyterHub role name, unique per dashboard server."""
    return ROLE_PREFIX + re.sub(r"[^a-z0-9._~-]", "-", f"{owner}-{server}".lower())


async def grant_on_spawn(spawner: Any) -> None:
    """pre_spawn_hook: for a dashboard server, make its viewers' grants match the dashboard's settings."""
    environment = (spawner.user_options or {}).get("environment") or {}
    if "JUPYTERHUB_ANYONE" not in environment:
        return  # a notebook server, not a dashboard
    owner, server = spawner.user.name, spawner.name
    anyone = environment["JUPYTERHUB_ANYONE"] == "1"
    group = environment.get("JUPYTERHUB_GROUP", "")
    apply_grants(spawner.db, owner, server, anyone, group)
    spawner.log.info("dashboard %s/%s: viewable by %s", owner, server, "all users" if anyone else f"group {group}")


def apply_grants(db: Any, owner: str, server: str, anyone: bool, group: str) -> None:
    from jupyterhub import orm, roles

    scope = access_scope(owner, server)
    user_role = orm.Role.find(db, USER_ROLE)
    others = [s for s in (user_role.scopes or []) if s != scope]
    user_role.scopes = [*others, scope] if anyone else others

    name = role_name(owner, server)
    role = orm.Role.find(db, name)
    if role is None:
        roles.create_role(db, {"name": name, "scopes": [scope],
                               "description": f"view the dashboard served by {owner}/{server}"})
        role = orm.Role.find(db, name)
    viewers = orm.Group.find(db, group) if group and not anyone else None
    role.groups = [viewers] if viewers is not None else []
    db.commit()


def roles_from_database(db_url: str) -> list[dict[str, Any]]:
    """load_roles re-creating every dashboard's grants from cdsdashboards' table (empty on a new hub)."""
    engine = sqlalchemy.create_engine(db_url)
    try:
        if "dashboards" not in sqlalchemy.inspect(engine).get_table_names():
            return []
        query = sqlalchemy.text(
            "SELECT users.name, dashboards.urlname, dashboards.allow_all FROM dashboards "
            "JOIN users ON users.id = dashboards.user_id"
        )
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    anyone_scopes = []
    declared: list[dict[str, Any]] = []
    for owner, urlname, allow_all in rows:
        server = f"dash-{urlname}"  # DockerBuilder's name for a dashboard's server
        scope = access_scope(owner, server)
        if allow_all:
            anyone_scopes.append(scope)
            declared.append({"name": role_name(owner, server), "scopes": [scope]})
        else:
            declared.append({"name": role_name(owner, server), "scopes": [scope], "groups": [f"dash-{urlname}"]})
    return [{"name": USER_ROLE, "scopes": [*USER_ROLE_DEFAULT_SCOPES, *anyone_scopes]}, *declared] if rows else []
