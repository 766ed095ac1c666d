"""A viewer taken off a dashboard loses it within CDS_AUTH_CACHE_SECONDS (30 s), and refusals are real pages.

An admin removes hank from a dashboard's group through the API (not through the dashboard's form, so the
dashboard's server is not restarted). hank keeps the session he opened the dashboard with and keeps asking its
server: the dashboard proxy asks the hub again once its 30 s memory of him has expired, and refuses him.
"""

from __future__ import annotations

import time

import pytest
import requests

from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import Hub, HubUsers
from tests.hub.hubclient import HubUser
from tests.hub.viewing import dashboard_group, marker, publish, shows, wait_until_shown
from tests.waiting import wait_until

OWNER, VIEWER = "gina", "hank"
FRAMEWORK = "dash"  # its content is one light request (_dash-layout): cheap to ask every second
CACHE_SECONDS = 30  # CDS_AUTH_CACHE_SECONDS' default in the images
ALLOWANCE = 5  # the request that notices, and the poll interval


@pytest.fixture(scope="module")
def shared(hub_users: HubUsers) -> str:
    """gina's dash dashboard for hank, opened by hank once; returns its urlname."""
    hub_users(VIEWER)
    owner = hub_users(OWNER, working=True)
    urlname = publish(owner, FRAMEWORK, "Gina for hank", [VIEWER])
    wait_until_shown(owner, f"/hub/dashboards/{urlname}", FRAMEWORK)
    return urlname


def _layout(viewer: HubUser, urlname: str) -> requests.Response:
    return viewer.session.get(viewer.url(f"/user/{OWNER}/{dashboard_server_name(urlname)}/_dash-layout"),
                              timeout=60, allow_redirects=False)


def test_a_viewer_removed_by_an_admin_loses_the_dashboard_within_the_cache_time(
        hub: Hub, hub_users: HubUsers, shared: str) -> None:
    hank = hub_users(VIEWER)
    assert shows(hank, f"/hub/dashboards/{shared}", FRAMEWORK)
    assert marker(FRAMEWORK) in _layout(hank, shared).text

    removed = hub.admin().api("DELETE", f"groups/{dashboard_group(shared)}/users", json={"users": [VIEWER]})
    assert removed.status_code == 200, removed.text
    started = time.monotonic()

    def no_longer_served() -> int | None:
        """The status of the answer once it no longer carries the dashboard's content."""
        response = _layout(hank, shared)
        return None if marker(FRAMEWORK) in response.text else response.status_code

    status = wait_until(no_longer_served, CACHE_SECONDS + ALLOWANCE + 30, interval=1,  # longer than the claim
                        message=f"{VIEWER} was still served the dashboard after the removal")
    seconds = time.monotonic() - started
    hub.timings["viewer removed by an admin to refused (s)"] = seconds
    assert status == 403, status
    assert seconds <= CACHE_SECONDS + ALLOWANCE, f"still served {seconds:.0f} s after the removal"


def test_refused_and_missing_dashboards_are_the_hubs_error_pages(hub: Hub, hub_users: HubUsers, shared: str) -> None:
    hub.admin().api("DELETE", f"groups/{dashboard_group(shared)}/users", json={"users": [VIEWER]})  # if not already
    hank = hub_users(VIEWER)
    for path, status in ((f"/hub/dashboards/{shared}", 403), ("/hub/dashboards/no-such-dashboard", 404)):
        response = hank.session.get(hank.url(path), timeout=60)
        assert response.status_code == status, path
        assert f"<h1>{status} :" in response.text, response.text[:500]  # JupyterHub's error page
        assert 'href="/hub/home"' in response.text  # the hub's navigation: a way back
    assert "Uncaught exception in write_error" not in hub.logs()
