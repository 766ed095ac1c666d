"""Viewers' access to dashboards on JupyterHub >= 2, which cdsdashboards 0.6.3 never grants.

JupyterHub lets a user through the OAuth step of another user's server only with the scope
`access:servers!server=<owner>/<server>`; without it every viewer but the owner gets 403 (cdsdashboards
issue #98). The grants here are a function of cdsdashboards' `dashboards` table and nothing else (never of
what a spawn request says):

- a dashboard for all users: its scope is added to JupyterHub's `user` role, which every user holds;
- a dashboard for selected users: one role per dashboard, `cds-dashboard-<urlname>-<id>` (the row's id makes
  it unique whatever the owner's and dashboard's names), held by the dashboard's group, in which
  cdsdashboards keeps its viewers.

When: cdsdashboards respawns a dashboard's server after every edit, so `grant_on_spawn` (the spawner's
pre_spawn_hook) brings every grant in line with the table then (deleted dashboards lose theirs). At start-up
JupyterHub deletes roles its configuration does not declare and resets the `user` role, so
`roles_from_database` declares every grant; a row it cannot use is logged and skipped, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from containds_hub import naming
from containds_hub.log import LOG
from containds_hub.user_options import Dashboard

USER_ROLE = "user"
ROLE_PREFIX = "cds-dashboard-"
LEGACY_ROLE_PREFIX = "cds-view-"  # the older hub's roles, keyed by owner and server (they could collide)
URLNAME = re.compile(r"[a-z0-9-]{0,100}")  # what Dashboard.calc_urlname can make


@dataclass(frozen=True)
class Grant:
    """Who may open one dashboard's server."""

    dashboard_id: int
    urlname: str
    owner: str
    anyone: bool
    group: str | None  # its viewers' group (None: missing, so nobody but the owner)

    @property
    def server(self) -> str:
        return naming.dashboard_server_name(self.urlname)

    @property
    def scope(self) -> str:
        return f"access:servers!server={self.owner}/{self.server}"

    @property
    def role(self) -> str:
        return f"{ROLE_PREFIX}{self.urlname}-{self.dashboard_id}"


def dashboard_of(db: Any, orm_user: Any, server_name: str) -> Dashboard | None:
    """The dashboard a server of this user presents, if it is one."""
    from cdsdashboards.orm import Dashboard as DashboardRow

    if not server_name.startswith(naming.PREFIX):
        return None
    for row in db.query(DashboardRow).filter(DashboardRow.user_id == orm_user.id):
        if naming.dashboard_server_name(row.urlname) == server_name:
            snapshot = (row.options or {}).get("snapshot")
            recorded = snapshot if isinstance(snapshot, dict) else {}
            return Dashboard(anyone=bool(row.allow_all), group=row.groupname, dashboard_id=row.id,
                             snapshot=recorded.get("reference"), snapshot_id=recorded.get("image_id"))
    return None


async def grant_on_spawn(spawner: Any) -> None:
    """pre_spawn_hook: bring every dashboard's grants in line with the dashboards table."""
    if dashboard_of(spawner.db, spawner.user.orm_user, spawner.name) is None:
        return  # a notebook server: nothing about dashboards changed
    reconcile(spawner.db)


def grants_in_session(db: Any) -> list[Grant]:
    from cdsdashboards.orm import Dashboard as DashboardRow

    rows = ((d.id, d.urlname, d.user.name if d.user else None, d.allow_all, d.group.name if d.group else None)
            for d in db.query(DashboardRow))
    return usable_grants(rows)


def usable_grants(rows: Iterable[tuple[Any, Any, Any, Any, Any]]) -> list[Grant]:
    """Grants from (id, urlname, owner, allow_all, group) rows; a row that cannot be used is logged, skipped."""
    grants = []
    for dashboard_id, urlname, owner, allow_all, group in rows:
        if not isinstance(dashboard_id, int) or not owner or not isinstance(urlname, str) \
                or not URLNAME.fullmatch(urlname):
            LOG.error("dashboards row %r (urlname %r, owner %r) is unusable: no access granted for it",
                      dashboard_id, urlname, owner)
            continue
        if not allow_all and not group:
            LOG.warning("dashboard %s of %s has no viewers' group: only its owner can open it", urlname, owner)
        grants.append(Grant(dashboard_id, urlname, owner, bool(allow_all), group))
    return grants


def reconcile(db: Any) -> None:
    """Make the `user` role and the dashboards' roles match the dashboards table."""
    from jupyterhub import orm, roles

    grants = grants_in_session(db)
    user_role = orm.Role.find(db, USER_ROLE)
    anyone_scopes = [g.scope for g in grants if g.anyone]
    user_role.scopes = [*_without_server_access(user_role.scopes or []), *anyone_scopes]

    wanted = {g.role: g for g in grants if not g.anyone}
    for role in db.query(orm.Role):
        if role.name.startswith((ROLE_PREFIX, LEGACY_ROLE_PREFIX)) and role.name not in wanted:
            db.delete(role)
    for name, grant in wanted.items():
        role = orm.Role.find(db, name)
        if role is None:
            roles.create_role(db, _role_spec(grant), commit=False)
            role = orm.Role.find(db, name)
        role.scopes = [grant.scope]
        group = orm.Group.find(db, grant.group) if grant.group else None
        role.groups = [group] if group is not None else []
    db.commit()


def roles_from_database(db_url: str) -> list[dict[str, Any]]:
    """load_roles declaring every dashboard's grants (none on a new hub). Never raises: on an unreadable
    table the hub starts with no dashboard grants and says so."""
    import sqlalchemy.exc
    from jupyterhub.roles import get_default_roles

    try:
        rows = _read_dashboards(db_url)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        LOG.error("cannot read the dashboards table (%s): no viewer can open a dashboard until it is edited",
                  str(exc).splitlines()[0])
        return []
    if rows is None:
        return []
    grants = usable_grants(rows)
    user_defaults = next(r["scopes"] for r in get_default_roles() if r["name"] == USER_ROLE)
    declared = [{"name": USER_ROLE, "scopes": [*user_defaults, *(g.scope for g in grants if g.anyone)]}]
    for grant in grants:
        if not grant.anyone:
            declared.append({**_role_spec(grant), "groups": [grant.group] if grant.group else []})
    return declared


def _read_dashboards(db_url: str) -> list[tuple[Any, ...]] | None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(db_url)
    try:
        if "dashboards" not in sqlalchemy.inspect(engine).get_table_names():
            return None
        query = sqlalchemy.text(
            "SELECT dashboards.id, dashboards.urlname, users.name, dashboards.allow_all, groups.name "
            "FROM dashboards LEFT JOIN users ON users.id = dashboards.user_id "
            "LEFT JOIN groups ON groups.id = dashboards.group_id ORDER BY dashboards.id"
        )
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def _role_spec(grant: Grant) -> dict[str, Any]:
    return {"name": grant.role, "scopes": [grant.scope],
            "description": f"open dashboard {grant.urlname} ({grant.owner}/{grant.server})"}


def _without_server_access(scopes: Iterable[str]) -> list[str]:
    return [s for s in scopes if not s.startswith("access:servers!server=")]


def merge_roles(declared: list[dict[str, Any]], grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The operator's load_roles with the dashboards' grants: the `user` role's scopes are the union of both, the
    dashboards' own roles are added (one of the operator's with the same name is replaced: the name is the hub's)."""
    ours = {role["name"]: role for role in grants}
    merged = []
    for role in declared:
        if role.get("name") == USER_ROLE and USER_ROLE in ours:
            scopes = [*role.get("scopes", []), *ours.pop(USER_ROLE)["scopes"]]
            merged.append({**role, "scopes": list(dict.fromkeys(scopes))})
        elif role.get("name") not in ours:
            merged.append(role)
    return [*merged, *ours.values()]
