"""Dashboards whose names JupyterHub 6 would refuse as server names still start and show, for owner and viewer.

cdsdashboards names a dashboard's server `dash-<urlname>`; the urlname (the name's letters and digits, lowercased,
other runs turned into one hyphen, cut at 35 characters, `-<n>` added when taken) often makes that longer than the
30 characters JupyterHub 6 allows, and such a dashboard was saved but never started. The hub names those servers
itself (containds_hub.naming); its unit test covers the names, this one the hub that uses them.
"""

from __future__ import annotations

import re

from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import HubUsers
from tests.hub.viewing import app_file, presentation_type, shows, wait_until_shown

OWNER, VIEWER = "nadia", "yusuf"
# Every name here passes cdsdashboards' own form check (an ASCII letter or digit first, then letters, digits,
# spaces and its listed punctuation); the last one repeats an earlier one, so its urlname gets a counter.
NAMES = ["  Leading spaces", "An exceedingly long dashboard name, well past thirty characters!",
         "1st quarter (draft)", "R&D: <symbols> & 'quotes' #1", "1st quarter (draft)"]
JUPYTERHUB_6_SERVER_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def test_dashboards_with_awkward_names_start_and_show(hub_users: HubUsers) -> None:
    viewer = hub_users(VIEWER)
    owner = hub_users(OWNER, working=True)
    owner.write_file("voila-app.ipynb", app_file("voila").read_text())
    urlnames = []
    for name in NAMES:
        urlname = owner.save_dashboard(name, presentation_type("voila"), "voila-app.ipynb", None)
        urlnames.append(urlname)
        wait_until_shown(owner, f"/hub/dashboards/{urlname}", "voila")
        assert shows(viewer, f"/hub/dashboards/{urlname}", "voila"), f"{VIEWER} cannot open {name!r}"
    servers = [server for server in owner.api("GET", f"users/{OWNER}").json()["servers"] if server]
    assert sorted(servers) == sorted(dashboard_server_name(urlname) for urlname in urlnames), (servers, urlnames)
    for server in servers:  # JupyterHub 6's own rule, stated here apart from the hub's naming
        assert JUPYTERHUB_6_SERVER_NAME.fullmatch(server) and len(server) <= 30, server
