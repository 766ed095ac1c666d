"""Whether a viewer is asked "Authorize access" before a dashboard: an operator's choice (CDS_CONFIRM_DASHBOARD_ACCESS).

JupyterHub asks a user, once per server, to confirm that a server they do not own may know who they are. For a
dashboard the hub registered and shared (its OAuth client identifies the viewer and nothing else: the hub's
spawner never widens a server's client scopes, whatever the owner's code asks for), the page adds a click that
people read as a warning, and nothing the owner learns depends on it: once the viewer is in, the dashboard's
server knows their name either way. Without it, a link to a dashboard signs a viewer in with no page between (only
viewers the dashboard is shared with: JupyterHub checks access before it would confirm), so an owner who sends
viewers a link learns who followed it, as they would after the click. hub/README.md weighs it.

JupyterHub skips confirmation for clients in its `oauth_no_confirm_list` setting (admin-operated services); here
that set also holds every dashboard's client, recognised by its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from containds_hub import naming

CLIENT_PREFIX = "jupyterhub-user-"


def is_dashboard_client(client_id: str) -> bool:
    """The OAuth client of a dashboard's server (naming.unique_client_id of a server named by the dashboards)."""
    if not client_id.startswith(CLIENT_PREFIX) or client_id.count("!") != 1:
        return False
    return unquote(client_id.split("!")[1]).startswith(naming.PREFIX)


class NoConfirmClients(set[str]):
    """JupyterHub's no-confirm set: the configured clients, and every dashboard's."""

    def __contains__(self, client_id: object) -> bool:
        return super().__contains__(client_id) or (isinstance(client_id, str) and is_dashboard_client(client_id))


def skip_dashboard_confirmation(c: Any) -> None:
    services: Iterable[dict[str, Any]] = c.JupyterHub.get("services", [])
    configured = {s.get("oauth_client_id") or f"service-{s['name']}" for s in services if s.get("oauth_no_confirm")}
    c.JupyterHub.tornado_settings = {**c.JupyterHub.get("tornado_settings", {}),
                                     "oauth_no_confirm_list": NoConfirmClients(configured)}
