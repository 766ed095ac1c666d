"""The hub from hub/docker-compose.yml, three users, real spawned containers from our images.

alice writes the apps through her notebook server and shares a voila and a streamlit dashboard with bob and a
dash dashboard with all users; bob sees all three, carol only the all-users one; nobody reaches alice's
notebook server; switching a dashboard to all users lets carol in; a hub restart keeps everything.
Timings go to build/e2e-timings.json.
"""

from __future__ import annotations

import time

from tests.hub.deployment import Hub
from tests.hub.viewing import app_file, refused, shows, wait_until_shown

USERS = ("alice", "bob", "carol")
FRAMEWORKS = ("voila", "streamlit", "dash")  # the two the issue names, and a third for "all users"


def test_dashboards_are_shared_exactly_as_configured_and_survive_a_restart(hub: Hub) -> None:
    alice, bob, carol = (hub.user(name) for name in USERS)
    started = time.monotonic()
    alice.login()
    alice.start_server()
    hub.timings["alice: login to notebook server ready (s)"] = time.monotonic() - started
    for viewer in (bob, carol):  # selected viewers must exist when a dashboard is shared with them
        viewer.login()
    for framework in FRAMEWORKS:
        alice.write_file(f"{framework}-{app_file(framework).name}", app_file(framework).read_text())

    shared = {
        "voila": alice.save_dashboard("Voila fixture", "voila", "voila-app.ipynb", ["bob"]),
        "streamlit": alice.save_dashboard("Streamlit fixture", "streamlit", "streamlit-app.py", ["bob"]),
        "dash": alice.save_dashboard("Dash fixture", "plotlydash", "dash-app.py", None),
    }
    paths = {fw: f"/hub/dashboards/{urlname}" for fw, urlname in shared.items()}
    for framework, path in paths.items():
        hub.timings[f"alice: {framework} created to viewable (s)"] = wait_until_shown(alice, path, framework)

    for framework, path in paths.items():
        started = time.monotonic()
        assert shows(bob, path, framework), f"bob cannot see the {framework} dashboard"
        hub.timings[f"bob: first render of {framework} (s)"] = time.monotonic() - started
    assert shows(carol, paths["dash"], "dash"), "carol cannot see the all-users dashboard"
    for framework in ("voila", "streamlit"):
        assert refused(carol, paths[framework], framework), f"carol was not refused {framework}"
        direct = f"/user/alice/dash-{shared[framework]}/"
        assert refused(carol, direct, framework), f"carol reached the {framework} server directly"
    for viewer in (bob, carol):
        response = viewer.session.get(f"{hub.base_url}/user/alice/api/contents", timeout=60)
        assert response.status_code == 403, f"{viewer.name} reached alice's notebook server"

    alice.save_dashboard("Voila fixture", "voila", "voila-app.ipynb", None, urlname=shared["voila"])
    hub.timings["carol: voila switched to all users to viewable (s)"] = wait_until_shown(
        carol, paths["voila"], "voila")

    hub.timings["hub restart to API answering (s)"] = hub.restart()
    listed = alice.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60)  # the session from before
    assert listed.status_code == 200, f"alice's login did not survive the restart: {listed.status_code}"
    assert {d["name"] for d in listed.json()["_owned"]} == {"Voila fixture", "Streamlit fixture", "Dash fixture"}
    visible_to_carol = carol.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60).json()
    assert {d["name"] for d in visible_to_carol.get("alice", [])} == {"Voila fixture", "Dash fixture"}
    for framework, path in paths.items():
        started = time.monotonic()
        assert shows(bob, path, framework), f"bob lost access to {framework} after the restart"
        hub.timings[f"bob: {framework} after the hub restart (s)"] = time.monotonic() - started
    assert shows(carol, paths["voila"], "voila") and shows(carol, paths["dash"], "dash")
    assert refused(carol, paths["streamlit"], "streamlit"), "carol got the bob-only dashboard after the restart"


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
