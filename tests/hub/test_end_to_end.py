"""The hub from hub/docker-compose.yml, three users, real spawned containers from our images.

alice writes the apps through her notebook server and shares a voila and a streamlit dashboard with bob and a
dash dashboard with all users; bob sees all three, carol only the all-users one; nobody reaches alice's
notebook server; switching a dashboard to all users lets carol in; a hub restart keeps everything.
Timings go to build/e2e-timings.json.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import requests

from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import Hub, HubUsers
from tests.hub.hubclient import authorize_form
from tests.hub.scenarios import share_check_and_restart
from tests.hub.viewing import app_file, marker, presentation_type, publish, wait_until_shown
from tests.waiting import wait_until

BROKEN_APP = "raise RuntimeError('this app cannot start')\n"
APP_ERROR = "RuntimeError: this app cannot start"  # the last line of what Python writes when it runs BROKEN_APP
APP_STDERR = re.compile(r'<pre id="app-stderr"[^>]*>(.*?)</pre>', re.S)  # the dashboard proxy's error page


def test_dashboards_are_shared_exactly_as_configured_and_survive_a_restart(hub: Hub) -> None:
    share_check_and_restart(hub, hub.line)


def test_a_dashboard_that_cannot_start_shows_an_error_and_the_others_keep_working(hub: Hub) -> None:
    """An app that fails as it loads (a dash script raising at import): its dashboard's server answers with the
    dashboard proxy's error page (500), which shows the app's own error, and every other dashboard is still
    served."""
    alice, bob = hub.working_user("alice"), hub.logged_in("bob")
    alice.write_file("dash-app.py", app_file("dash").read_text())
    working = alice.save_dashboard("Working fixture", presentation_type("dash"), "dash-app.py", None)
    alice.write_file("broken-app.py", BROKEN_APP)
    urlname = alice.save_dashboard("Broken fixture", presentation_type("dash"), "broken-app.py", None)
    alice.open(f"/hub/dashboards/{urlname}")  # its first view starts its server, which starts the app
    server = f"/user/alice/{dashboard_server_name(urlname)}/"

    wait_until(lambda: _shows_the_app_error(alice.open(server), server), 180, interval=2, ignoring=(AssertionError,),
               message=f"{server} never showed the app's error {APP_ERROR!r}")
    wait_until_shown(bob, f"/hub/dashboards/{working}", "dash")  # the hub still serves the others


def _shows_the_app_error(response: requests.Response, server: str) -> bool:
    """`response` is the dashboard proxy's error page (500) at `server`, and the app's error output on it (its
    last lines of stderr) holds APP_ERROR; an AssertionError says what it was instead."""
    where = f"{response.url} answered {response.status_code}: {response.text[:500]}"
    assert urlsplit(response.url).path == server, where
    assert response.status_code == 500, where
    match = APP_STDERR.search(response.text)
    assert match is not None, f"no app-stderr block: {where}"
    stderr = html.unescape(match.group(1))
    assert APP_ERROR in stderr, f"the app's error output: {stderr}"
    return True


def test_a_viewers_first_open_of_a_dashboard_needs_no_authorize_click(hub_users: HubUsers) -> None:
    """The hub skips JupyterHub's "Authorize access" page for dashboards (CDS_CONFIRM_DASHBOARD_ACCESS=false)."""
    owner = hub_users("quinn", working=True)
    urlname = publish(owner, "voila", "No click fixture", None)
    viewer = hub_users("rowan")
    wait_until_shown(owner, f"/hub/dashboards/{urlname}", "voila")
    first = viewer.session.get(viewer.url(f"/hub/dashboards/{urlname}"), timeout=120)
    assert authorize_form(first) is None, f"a viewer was shown the Authorize page: {first.url}"
    assert first.status_code == 200 and marker("voila") in first.text
