"""Idle servers are stopped, and start again when opened: jupyterhub-idle-culler as a hub service.

- Its role holds only what culling needs (`ROLE_SCOPES`): list users, read their servers and activity, stop servers.
  It never removes a named server (dashboards are named servers: they stay defined, and a viewer's click starts
  one again), never deletes a user.
- Dashboards and notebook servers have their own idle timeouts (`arbiter`, in the culler's process). A dashboard is
  a server cdsdashboards started with a presentation (its user_options say which).
- Activity reaches the hub two ways: the proxy's record of requests to each server (JupyterHub asks it every
  `last_activity_interval`) and each server's own reports (jupyterhub-singleuser's; for dashboards the dashboard
  proxy's, which report the last proxied request or open page, not "now", as jhsingle-native-proxy's default
  force-alive did, under which no dashboard was ever idle). Both come every `activity_interval(settings)` seconds.

The culler's decisions go to the hub's log (a hub-managed service writes there): one line per server per check,
with its idle time.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta
from typing import Any

from containds_hub.settings import HubSettings

SERVICE = "idle-culler"
ROLE_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
TIMEOUT_ENV = "CDS_CULL_TIMEOUT"
DASHBOARD_TIMEOUT_ENV = "CDS_CULL_DASHBOARD_TIMEOUT"
LOG = logging.getLogger("IdleCuller")  # the culler application's own log


def activity_interval(settings: HubSettings) -> int:
    """How often activity is reported to the hub: often enough for the shortest check, at most every minute."""
    return max(5, min(60, settings.cull_every))


def configure_culler(c: Any, settings: HubSettings) -> None:
    """The service and its role; activity reported often enough for the timeouts."""
    interval = activity_interval(settings)
    c.JupyterHub.last_activity_interval = interval  # how often the hub asks the proxy for each route's activity
    # Dashboards: the dashboard proxy reports the last proxied request (or a page still open), every interval.
    c.VariableMixin.proxy_force_alive = False
    c.VariableMixin.proxy_last_activity_interval = interval
    environment = dict(c.Spawner.get("environment", {}))
    environment["JUPYTERHUB_ACTIVITY_INTERVAL"] = str(interval)  # jupyterhub-singleuser's own reports
    c.Spawner.environment = environment
    if not settings.cull_idle:
        return
    shortest = min(settings.cull_timeout, settings.cull_dashboard_timeout)
    c.JupyterHub.services = [*[s for s in c.JupyterHub.get("services", []) if s.get("name") != SERVICE], {
        "name": SERVICE,
        "command": [sys.executable, "-m", "containds_hub.culling", f"--timeout={shortest}",
                    f"--cull-every={settings.cull_every}", f"--max-age={settings.cull_max_age}"],
        "environment": {TIMEOUT_ENV: str(settings.cull_timeout),
                        DASHBOARD_TIMEOUT_ENV: str(settings.cull_dashboard_timeout)},
    }]
    role = {"name": SERVICE, "scopes": ROLE_SCOPES, "services": [SERVICE],
            "description": "stop idle servers (containds_hub.culling)"}
    c.JupyterHub.load_roles = [*[r for r in c.JupyterHub.get("load_roles", []) if r.get("name") != SERVICE], role]


def is_dashboard(server: dict[str, Any]) -> bool:
    """A server cdsdashboards started to present a dashboard (its options name the presentation)."""
    return bool((server.get("user_options") or {}).get("presentation_type"))


def arbiter(inactive: timedelta, inactive_limit: int, server: dict[str, Any], **_: Any) -> bool:
    """jupyterhub-idle-culler's cull_arbiter_hook: each kind of server against its own timeout."""
    dashboard = is_dashboard(server)
    limit = int(os.environ[DASHBOARD_TIMEOUT_ENV if dashboard else TIMEOUT_ENV])
    cull = inactive.total_seconds() >= limit
    if not cull:  # (a server it culls gets the culler's own line: "Culling server ... (inactive for ...)")
        LOG.info("Not culling server %s (%s, inactive for %s of %s)", _name(server),
                 "dashboard" if dashboard else "notebook server", _seconds(inactive), _seconds(limit))
    return cull


def _name(server: dict[str, Any]) -> str:
    """user/server as the culler's own lines name it (JupyterHub's server model has it as full_name)."""
    return str(server.get("full_name") or server.get("url") or server.get("name"))


def _seconds(value: timedelta | int) -> str:
    total = int(value.total_seconds() if isinstance(value, timedelta) else value)
    return str(timedelta(seconds=total))


def main() -> None:
    from jupyterhub_idle_culler import IdleCuller

    IdleCuller.launch_instance(cull_arbiter_hook=arbiter)


if __name__ == "__main__":
    main()
