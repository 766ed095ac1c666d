"""A viewer taken off a dashboard loses it within CDS_AUTH_CACHE_SECONDS (30 s), and refusals are real pages.

An admin removes hank from a dashboard's group through the API (not through the dashboard's form, so the
dashboard's server is not restarted). hank keeps the session he opened the dashboard with and keeps asking its
server: the dashboard proxy asks the hub again once its 30 s memory of him has expired, and refuses him.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.hub.deployment import Hub
from tests.hub.hubclient import HubUser
from tests.hub.viewing import marker, publish, shows, wait_until_shown

OWNER, VIEWER = "gina", "hank"
FRAMEWORK = "dash"  # its content is one light request (_dash-layout): cheap to ask every second
CACHE_SECONDS = 30  # CDS_AUTH_CACHE_SECONDS' default in the images
ALLOWANCE = 5  # the request that notices, and the poll interval


@pytest.fixture(scope="module", autouse=True)
def _stop_servers_afterwards(hub: Hub) -> Iterator[None]:
    """This module's users' servers are not needed by the next: fewer containers on a busy machine."""
    yield
    hub.stop_servers(*(OWNER, VIEWER))


@pytest.fixture(scope="module")
def shared(hub: Hub) -> str:
    """gina's dash dashboard for hank, opened by hank once; returns its urlname."""
    viewer = hub.user(VIEWER)
    viewer.login()
    owner = hub.user(OWNER)
    owner.login()
    owner.start_server()
    urlname = publish(owner, FRAMEWORK, "Gina for hank", [VIEWER])
    wait_until_shown(owner, f"/hub/dashboards/{urlname}", FRAMEWORK)
    return urlname


def _layout(viewer: HubUser, urlname: str) -> requests.Response:
    return viewer.session.get(viewer.url(f"/user/{OWNER}/dash-{urlname}/_dash-layout"), timeout=60,
                              allow_redirects=False)


def test_a_viewer_removed_by_an_admin_loses_the_dashboard_within_the_cache_time(hub: Hub, shared: str) -> None:
    hank = hub.user(VIEWER)
    hank.login()
    assert shows(hank, f"/hub/dashboards/{shared}", FRAMEWORK)
    assert marker(FRAMEWORK) in _layout(hank, shared).text

    removed = hub.admin().api("DELETE", f"groups/dash-{shared}/users", json={"users": [VIEWER]})
    assert removed.status_code == 200, removed.text
    started = time.monotonic()
    while time.monotonic() - started < CACHE_SECONDS + ALLOWANCE + 30:  # bounded, and longer than the claim
        response = _layout(hank, shared)
        if marker(FRAMEWORK) not in response.text:
            break
        time.sleep(1)
    seconds = time.monotonic() - started
    hub.timings["viewer removed by an admin to refused (s)"] = seconds
    assert response.status_code == 403 and marker(FRAMEWORK) not in response.text
    assert seconds <= CACHE_SECONDS + ALLOWANCE, f"still served {seconds:.0f} s after the removal"


def test_refused_and_missing_dashboards_are_the_hubs_error_pages(hub: Hub, shared: str) -> None:
    hub.admin().api("DELETE", f"groups/dash-{shared}/users", json={"users": [VIEWER]})  # if not already
    hank = hub.user(VIEWER)
    hank.login()
    for path, status in ((f"/hub/dashboards/{shared}", 403), ("/hub/dashboards/no-such-dashboard", 404)):
        response = hank.session.get(hank.url(path), timeout=60)
        assert response.status_code == status, path
        assert f"<h1>{status} :" in response.text, response.text[:500]  # JupyterHub's error page
        assert 'href="/hub/home"' in response.text  # the hub's navigation: a way back
    assert "Uncaught exception in write_error" not in hub.logs()
