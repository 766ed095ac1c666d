"""The three-user scenario of the hub's end-to-end tests, run on the hub of each JupyterHub line."""

from __future__ import annotations

import time

from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import Hub
from tests.hub.viewing import app_file, presentation_type, refused, shows, wait_until_shown

USERS = ("alice", "bob", "carol")
FRAMEWORKS = ("voila", "streamlit", "dash")  # the two the issue names, and a third for "all users"


def share_check_and_restart(hub: Hub, line: str) -> dict[str, str]:
    """alice shares a voila and a streamlit dashboard with bob and a dash one with all users; bob sees all three,
    carol the all-users one only; nobody reaches alice's notebook server; switching voila to all users lets carol
    in; a hub restart keeps it all. Returns the dashboards' paths by framework. Timings are labelled `line`."""
    alice, bob, carol = (hub.user(name) for name in USERS)
    started = time.monotonic()
    alice.login()
    alice.start_server()
    hub.timings[f"{line} alice: login to notebook server ready (s)"] = time.monotonic() - started
    for viewer in (bob, carol):  # selected viewers must exist when a dashboard is shared with them
        viewer.login()
    for framework in FRAMEWORKS:
        alice.write_file(f"{framework}-{app_file(framework).name}", app_file(framework).read_text())

    shared = {
        "voila": alice.save_dashboard("Voila fixture", presentation_type("voila"), "voila-app.ipynb", ["bob"]),
        "streamlit": alice.save_dashboard("Streamlit fixture", presentation_type("streamlit"), "streamlit-app.py",
                                          ["bob"]),
        "dash": alice.save_dashboard("Dash fixture", presentation_type("dash"), "dash-app.py", None),
    }
    paths = {fw: f"/hub/dashboards/{urlname}" for fw, urlname in shared.items()}
    for framework, path in paths.items():
        hub.timings[f"{line} alice: {framework} created to viewable (s)"] = wait_until_shown(alice, path, framework)

    for framework, path in paths.items():
        started = time.monotonic()
        assert shows(bob, path, framework), f"bob cannot see the {framework} dashboard"
        hub.timings[f"{line} bob: first render of {framework} (s)"] = time.monotonic() - started
    assert shows(carol, paths["dash"], "dash"), "carol cannot see the all-users dashboard"
    for framework in ("voila", "streamlit"):
        assert refused(carol, paths[framework], framework), f"carol was not refused {framework}"
        direct = f"/user/alice/{dashboard_server_name(shared[framework])}/"
        assert refused(carol, direct, framework), f"carol reached the {framework} server directly"
    for viewer in (bob, carol):
        response = viewer.session.get(f"{hub.base_url}/user/alice/api/contents", timeout=60)
        assert response.status_code == 403, f"{viewer.name} reached alice's notebook server"

    alice.save_dashboard("Voila fixture", presentation_type("voila"), "voila-app.ipynb", None, urlname=shared["voila"])
    hub.timings[f"{line} carol: voila switched to all users to viewable (s)"] = wait_until_shown(
        carol, paths["voila"], "voila")

    hub.timings[f"{line} hub restart to API answering (s)"] = hub.restart()
    listed = alice.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60)  # the session from before
    assert listed.status_code == 200, f"alice's login did not survive the restart: {listed.status_code}"
    assert {d["name"] for d in listed.json()["_owned"]} == {"Voila fixture", "Streamlit fixture", "Dash fixture"}
    visible_to_carol = carol.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60).json()
    assert {d["name"] for d in visible_to_carol.get("alice", [])} == {"Voila fixture", "Dash fixture"}
    for framework, path in paths.items():
        started = time.monotonic()
        assert shows(bob, path, framework), f"bob lost access to {framework} after the restart"
        hub.timings[f"{line} bob: {framework} after the hub restart (s)"] = time.monotonic() - started
    assert shows(carol, paths["voila"], "voila") and shows(carol, paths["dash"], "dash")
    assert refused(carol, paths["streamlit"], "streamlit"), "carol got the bob-only dashboard after the restart"
    return paths
