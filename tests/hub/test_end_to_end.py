"""The hub from hub/docker-compose.yml, three users, real spawned containers from our images.

alice writes the apps through her notebook server and shares a voila and a streamlit dashboard with bob and a
dash dashboard with all users; bob sees all three, carol only the all-users one; nobody reaches alice's
notebook server; switching a dashboard to all users lets carol in; a hub restart keeps everything.
Timings go to build/e2e-timings.json.
"""

from __future__ import annotations

import time

from tests.hub.deployment import Hub
from tests.hub.scenarios import share_check_and_restart
from tests.hub.viewing import app_file, wait_until_shown


def test_dashboards_are_shared_exactly_as_configured_and_survive_a_restart(hub: Hub) -> None:
    share_check_and_restart(hub, hub.line)


def test_a_dashboard_that_cannot_start_shows_an_error_and_the_others_keep_working(hub: Hub) -> None:
    """An app that fails as it loads (a dash script raising at import): its viewer gets an error page, quickly,
    and every other dashboard is still served."""
    alice, bob = hub.user("alice"), hub.user("bob")
    alice.login()
    bob.login()
    alice.start_server()
    alice.write_file("dash-app.py", app_file("dash").read_text())
    working = alice.save_dashboard("Working fixture", "plotlydash", "dash-app.py", None)
    alice.write_file("broken-app.py", "raise RuntimeError('this app cannot start')\n")
    urlname = alice.save_dashboard("Broken fixture", "plotlydash", "broken-app.py", None)
    deadline = time.monotonic() + 180
    response = alice.open(f"/hub/dashboards/{urlname}")
    while time.monotonic() < deadline and response.status_code < 500 and "error" not in response.text.lower():
        time.sleep(2)
        response = alice.open(f"/hub/dashboards/{urlname}")
    assert response.status_code >= 500 or "error" in response.text.lower(), response.text[:500]
    wait_until_shown(bob, f"/hub/dashboards/{working}", "dash")  # the hub still serves the others
