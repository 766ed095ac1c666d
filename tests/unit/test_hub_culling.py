"""The culler's service, role and decisions (containds_hub.culling), and which OAuth clients skip the Authorize page
(containds_hub.oauth), as pure logic; tests/hub/test_culling.py and the browser tests run them for real."""

from __future__ import annotations

from datetime import timedelta

import pytest
from traitlets.config import Config

from containds_hub.culling import DASHBOARD_TIMEOUT_ENV, ROLE_SCOPES, SERVICE, TIMEOUT_ENV, arbiter, configure_culler
from containds_hub.naming import dashboard_server_name, unique_client_id
from containds_hub.oauth import NoConfirmClients, is_dashboard_client
from containds_hub.settings import load_settings

DASHBOARD = {"name": "dash-sales", "full_name": "alice/dash-sales", "user_options": {"presentation_type": "voila"}}
NOTEBOOK = {"name": "", "full_name": "alice/", "user_options": {}}


def test_the_culler_holds_only_the_scopes_culling_needs_and_never_removes_a_server() -> None:
    c = Config()
    configure_culler(c, load_settings({"CDS_CULL_TIMEOUT": "3600", "CDS_CULL_DASHBOARD_TIMEOUT": "900"}))
    (service,) = c.JupyterHub.services
    (role,) = c.JupyterHub.load_roles
    assert role == {"name": SERVICE, "scopes": ["list:users", "read:users:activity", "read:servers",
                                                 "delete:servers"], "services": [SERVICE],
                    "description": role["description"]}
    assert role["scopes"] == ROLE_SCOPES
    assert "--timeout=900" in service["command"] and not any("remove-named" in a for a in service["command"])
    assert service["environment"] == {TIMEOUT_ENV: "3600", DASHBOARD_TIMEOUT_ENV: "900"}
    assert c.VariableMixin.proxy_force_alive is False  # else no dashboard is ever idle


def test_no_culler_when_it_is_off() -> None:
    c = Config()
    configure_culler(c, load_settings({"CDS_CULL_IDLE": "false"}))
    assert "services" not in c.JupyterHub and "load_roles" not in c.JupyterHub


@pytest.mark.parametrize(("server", "idle", "culled"), [
    (DASHBOARD, 899, False), (DASHBOARD, 900, True), (NOTEBOOK, 900, False), (NOTEBOOK, 3600, True)])
def test_each_kind_of_server_has_its_own_timeout(monkeypatch: pytest.MonkeyPatch, server: dict, idle: int,
                                                 culled: bool) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "3600")
    monkeypatch.setenv(DASHBOARD_TIMEOUT_ENV, "900")
    assert arbiter(inactive=timedelta(seconds=idle), inactive_limit=900, server=server) is culled


def test_only_dashboards_clients_skip_the_authorize_page() -> None:
    dashboard = unique_client_id("alice", dashboard_server_name("sales"))
    assert is_dashboard_client(dashboard)
    for other in (unique_client_id("alice", ""), unique_client_id("alice", "notes"), "jupyterhub-user-alice",
                  "service-announcements", "jupyterhub-user-dash-x!notes"):
        assert not is_dashboard_client(other), other
    configured = NoConfirmClients({"service-announcements"})
    assert dashboard in configured and "service-announcements" in configured and "service-other" not in configured
