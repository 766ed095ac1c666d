"""Two users whose names make one dashboard's grant, OAuth client or server name look like another's.

User dave's dashboard "Dash Z" runs as server dash-dash-z; user dave-dash's dashboard "Z" as server dash-z.
Joined with "-", both gave the role cds-view-dave-dash-dash-z and the OAuth client
jupyterhub-user-dave-dash-dash-z: the second dashboard took over the first one's viewers, fresh logins to
either failed, and the hub then crash-looped on "Role ... multiply defined". Each dashboard must keep its own
viewers, before and after a restart, from which the hub comes back without ever crashing, whatever the database
holds.
"""

from __future__ import annotations

import pytest

from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import Hub, HubUsers
from tests.hub.viewing import publish, refused, shows, wait_until_shown

FRAMEWORK = "voila"  # its content comes over HTTP: quick to check for four viewers


@pytest.fixture(scope="module")
def dashboards(hub_users: HubUsers) -> dict[str, str]:
    """dave's "Dash Z" for erin, dave-dash's "Z" for frank: {owner: path of the dashboard}."""
    for viewer in ("erin", "frank"):
        hub_users(viewer)  # selected viewers must exist when a dashboard is shared with them
    paths = {}
    for owner, name, viewer in (("dave", "Dash Z", "erin"), ("dave-dash", "Z", "frank")):
        urlname = publish(hub_users(owner, working=True), FRAMEWORK, name, [viewer])
        paths[owner] = f"/hub/dashboards/{urlname}"
    assert paths == {"dave": "/hub/dashboards/dash-z", "dave-dash": "/hub/dashboards/z"}  # the colliding pair
    return paths


def _check_each_dashboard_keeps_its_own_viewers(fresh: HubUsers, paths: dict[str, str]) -> None:
    """Each with a new login (`fresh`): a new OAuth exchange with each dashboard server it opens."""
    for owner in paths:  # the owners first: a server saving started may still be starting (its progress page)
        wait_until_shown(fresh(owner), paths[owner], FRAMEWORK)
    erin, frank = fresh("erin"), fresh("frank")
    assert shows(erin, paths["dave"], FRAMEWORK), "erin lost dave's dashboard"
    assert shows(frank, paths["dave-dash"], FRAMEWORK), "frank lost dave-dash's dashboard"
    assert refused(frank, paths["dave"], FRAMEWORK), "frank reached dave's dashboard"
    assert refused(erin, paths["dave-dash"], FRAMEWORK), "erin reached dave-dash's dashboard"
    daves_server = dashboard_server_name(paths["dave"].rsplit("/", 1)[1])
    assert refused(frank, f"/user/dave/{daves_server}/", FRAMEWORK), "frank reached dave's dashboard server"


def _assert_it_never_crashed(hub: Hub) -> None:
    """The hub has not exited by itself since it was last started (compose's restart policy would have started it
    again: a crash loop, as on "Role ... multiply defined")."""
    container = hub.client.containers.get(hub.host)
    assert container.attrs["RestartCount"] == 0, f"the hub restarted by itself:\n{hub.logs(200)}"


def test_colliding_names_keep_separate_grants_and_a_restart_comes_back(
        hub: Hub, hub_users: HubUsers, dashboards: dict[str, str]) -> None:
    _check_each_dashboard_keeps_its_own_viewers(hub_users, dashboards)
    hub.timings["restart with colliding names (s)"] = hub.restart()
    _check_each_dashboard_keeps_its_own_viewers(hub_users, dashboards)
    _assert_it_never_crashed(hub)


def test_a_named_server_made_to_collide_does_not_take_over_a_dashboard(
        hub_users: HubUsers, dashboards: dict[str, str]) -> None:
    """dave-dash-dash's server z had the OAuth client of dave's dash-dash-z under JupyterHub's naming."""
    intruder = hub_users("dave-dash-dash")
    intruder.start_server("z")
    _check_each_dashboard_keeps_its_own_viewers(hub_users, dashboards)
    intruder.api("DELETE", "users/dave-dash-dash/servers/z", json={"remove": True})


BAD_ROWS = [  # (id, urlname, user_id, allow_all, group_id): an owner that is gone, a urlname no server can have
    (9001, "orphan", 999999, 0, None),
    (9002, "Not A Url Name", 1, 0, None),
]


def test_the_hub_starts_whatever_the_dashboards_table_holds(hub: Hub, hub_users: HubUsers,
                                                           dashboards: dict[str, str]) -> None:
    database = "/srv/jupyterhub/data/jupyterhub.sqlite"
    insert = "; ".join(
        f"INSERT INTO dashboards (id, name, urlname, user_id, allow_all, group_id, presentation_type, start_path) "
        f"VALUES ({i}, 'bad', '{u}', {o}, {a}, {'NULL' if g is None else g}, 'voila', 'x.ipynb')"
        for i, u, o, a, g in BAD_ROWS)
    delete = f"DELETE FROM dashboards WHERE id IN ({', '.join(str(row[0]) for row in BAD_ROWS)})"
    hub_container = hub.client.containers.get(hub.host)
    run_sql = ["python3", "-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
               "db.executescript(sys.argv[2]); db.commit()", database]
    assert hub_container.exec_run([*run_sql, insert]).exit_code == 0
    try:
        hub.timings["restart with unusable dashboards rows (s)"] = hub.restart()
        log = hub.logs(tail=400)
        assert "dashboards row 9001" in log and "dashboards row 9002" in log, log[-3000:]
        _check_each_dashboard_keeps_its_own_viewers(hub_users, dashboards)
        _assert_it_never_crashed(hub)
    finally:
        hub_container = hub.client.containers.get(hub.host)
        assert hub_container.exec_run([*run_sql, delete]).exit_code == 0

