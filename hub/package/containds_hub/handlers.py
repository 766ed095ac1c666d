"""The New and Edit Dashboard pages with a "Source server" (containds_hub.sources says which are allowed).

cdsdashboards' form handler passes the form's `source_server` field through `check_source_server` (patch 08), so a
refusal (HTTP 400) comes before anything is saved; the form lists the owner's servers, running or stopped.
"""

from __future__ import annotations

from typing import Any

from cdsdashboards.hubextension.main import DashboardEditHandler as CDSDashboardEditHandler
from tornado import web

from containds_hub.sources import SETTING, Refused, SourceServers, parse, source_servers


class DashboardEditHandler(CDSDashboardEditHandler):
    """cdsdashboards' New and Edit Dashboard pages, with the source server."""

    @property
    def _policy(self) -> SourceServers:
        return self.settings.get(SETTING) or SourceServers("off")

    def template_vars(self, d: dict[str, Any]) -> dict[str, Any]:
        policy = self._policy
        current = (d.get("dashboard_options") or {}).get("source_server")
        user = d.get("current_user")
        d.update(
            source_servers_policy="" if policy.policy == "off" else policy.policy,
            source_servers_unavailable=policy.unavailable,
            source_servers=source_servers(user.orm_user) if user is not None else [],
            source_server_selected=current.get("server") if isinstance(current, dict) else None,
        )
        return d

    def check_source_server(self, value: str | None, dashboard_user: Any, dashboard: Any) -> dict[str, str] | None:
        try:
            return parse(value, dashboard_user.orm_user, self._policy)
        except Refused as refusal:
            raise web.HTTPError(400, str(refusal)) from None
