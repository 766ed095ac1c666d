"""Idle servers and dashboards are stopped, and come back when opened (containds_hub.culling), on a compose hub of
its own with short settings: a minute's idle timeout, a check every 5 s.

A server idle since t is stopped by t + timeout + report interval (5 s) + check interval (5 s) + SLACK (the stop
itself, a busy machine). A dashboard a viewer keeps using stays up past twice its timeout. A viewer's click on a
culled dashboard's link leads to its content with no other click; a culled notebook server starts again from the
home page, its files intact; a restarted hub culls as before. The culler's token can do nothing but cull.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import docker
import pytest
import requests
from playwright.sync_api import Browser

from buildtool.graph import Graph
from containds_hub.naming import dashboard_server_name
from tests.conftest import PROJECT_DIR
from tests.docker.browser import chromium
from tests.hub.browsing import Album, open_person
from tests.hub.deployment import Hub, deployed_hub
from tests.hub.hubclient import HubUser
from tests.hub.viewing import marker, publish, shows
from tests.waiting import wait_until

HUB_GROUP = "culling"  # a deployment of its own: its own test worker
PROJECT = "containds-cull"
TIMEOUT, EVERY = 60, 5
SLACK = 45  # the stop itself (a container's removal) and a busy machine's delays
STOPPED_BY = TIMEOUT + EVERY + EVERY + SLACK
OWNER, VIEWER, LATECOMER = "alice", "bob", "carol"
# The culler's process in the hub's container: its environment holds the token JupyterHub gave the service.
CULLER_TOKEN = """
import os
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        command = open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        continue
    if b"containds_hub.culling" in command:
        environ = dict(v.split("=", 1) for v in open(f"/proc/{pid}/environ").read().split("\\0") if "=" in v)
        print(environ["JUPYTERHUB_API_TOKEN"])
        break
"""


@pytest.fixture(scope="module")
def culling_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
                singleuser_image_name: str) -> Iterator[Hub]:
    with deployed_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                      build_image(singleuser_image_name), CDS_CULL_TIMEOUT=str(TIMEOUT),
                      CDS_CULL_DASHBOARD_TIMEOUT=str(TIMEOUT), CDS_CULL_EVERY=str(EVERY)) as hub:
        try:
            yield hub
        finally:
            (PROJECT_DIR / "build" / "culling-timings.json").write_text(json.dumps(hub.timings, indent=2) + "\n")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def running(user: HubUser, server: str = "") -> bool:
    return bool(user.server_model(server).get("ready"))


def seconds_until_stopped(user: HubUser, server: str, idle_since: float) -> float:
    """Wait until the hub reports the server stopped; returns the seconds since it was last used."""
    wait_until(lambda: not user.server_model(server), STOPPED_BY + 30, interval=2,
               message=f"{user.name}'s server {server!r} was not culled")
    return time.monotonic() - idle_since


def test_the_cullers_token_can_only_list_read_and_stop(culling_hub: Hub) -> None:
    owner = culling_hub.working_user(OWNER)
    owner.write_file("private.txt", "not for the culler")
    result = culling_hub.client.containers.get(culling_hub.host).exec_run(["python3", "-c", CULLER_TOKEN])
    token = result.output.decode().strip()
    assert result.exit_code == 0 and token, result.output.decode()
    api = f"{culling_hub.base_url}/hub/api"
    headers = {"Authorization": f"token {token}"}
    listed = requests.get(f"{api}/users", headers=headers, timeout=30)
    assert listed.status_code == 200 and OWNER in {u["name"] for u in listed.json()}  # what it is for
    attempts = {
        "start a server": requests.post(f"{api}/users/{VIEWER}/server", headers=headers, timeout=30),
        "read a user's tokens": requests.get(f"{api}/users/{OWNER}/tokens", headers=headers, timeout=30),
        "make a group": requests.post(f"{api}/groups/culler-group", headers=headers, timeout=30),
        "add to a group": requests.post(f"{api}/groups/admin/users", headers=headers, timeout=30,
                                        data=json.dumps({"users": [VIEWER]})),
        "make a user an admin": requests.patch(f"{api}/users/{VIEWER}", headers=headers, timeout=30,
                                               data=json.dumps({"admin": True})),
        "read a user's files": requests.get(f"{culling_hub.base_url}/user/{OWNER}/api/contents/private.txt",
                                            headers=headers, timeout=30, allow_redirects=False),
    }
    allowed = {what: r.status_code for what, r in attempts.items() if r.status_code not in (302, 403, 404)}
    assert not allowed, f"the culler's token could: {allowed}"
    assert "not for the culler" not in attempts["read a user's files"].text


def test_idle_servers_are_stopped_and_a_viewers_click_brings_a_dashboard_back(culling_hub: Hub,
                                                                             browser: Browser) -> None:
    owner = culling_hub.working_user(OWNER)
    owner.write_file("notes.txt", "kept across culling")
    idle = publish(owner, "voila", "Idle dashboard", None)
    busy = publish(owner, "voila", "Busy dashboard", None)
    left_open = publish(owner, "voila", "Open dashboard", None)
    viewer = culling_hub.logged_in(VIEWER)
    for urlname in (idle, busy):
        wait_until(lambda urlname=urlname: shows(viewer, f"/hub/dashboards/{urlname}", "voila"), 240, interval=2,
                   message=f"{VIEWER} never saw {urlname}")
    # A page left open in a browser (voila keeps its kernel's websocket), and not a request more.
    reader = open_person(browser, VIEWER, Album.for_test("dashboard-left-open"))
    reader.log_in(culling_hub.base_url, culling_hub.password)
    with reader.step("opens a dashboard and leaves it open") as page:
        page.goto(f"{culling_hub.base_url}/hub/dashboards/{left_open}")
        reader.waits_for_text(marker("voila"))
    owner_idle_since = dashboard_idle_since = time.monotonic()  # nothing touches either from now on

    # bob keeps the busy one in use past twice the timeout (a request every 10 s), and the open one open, while
    # the others are culled.
    busy_server, idle_server = dashboard_server_name(busy), dashboard_server_name(idle)
    kept_until = time.monotonic() + 2 * TIMEOUT + 15
    culled: dict[str, float] = {}
    while time.monotonic() < kept_until:
        assert shows(viewer, f"/hub/dashboards/{busy}", "voila"), "the dashboard in use was stopped"
        for label, server, since in (("notebook", "", owner_idle_since), ("dashboard", idle_server,
                                                                          dashboard_idle_since)):
            if label not in culled and not owner.server_model(server):
                culled[label] = time.monotonic() - since
        time.sleep(10)
    assert running(owner, busy_server), "the dashboard in use did not stay up"
    assert running(owner, dashboard_server_name(left_open)), "the dashboard open in a browser was stopped"
    for label, server, since in (("notebook", "", owner_idle_since), ("dashboard", idle_server, dashboard_idle_since)):
        culled.setdefault(label, seconds_until_stopped(owner, server, since))
        assert culled[label] <= STOPPED_BY, f"the idle {label} server was stopped after {culled[label]:.0f} s"
    culling_hub.timings.update({f"culling: idle {label} stopped after (s)": s for label, s in culled.items()})
    log = culling_hub.logs()
    assert f"Culling server {OWNER}/{idle_server}" in log and "inactive for" in log  # one line per decision

    # A viewer's click on the culled dashboard's link: the progress page, then the content, nothing else to do.
    person = open_person(browser, VIEWER, Album.for_test("culled-dashboard-click"))
    person.log_in(culling_hub.base_url, culling_hub.password)
    started = time.monotonic()
    with person.step("opens the culled dashboard's link") as page:
        page.goto(f"{culling_hub.base_url}/hub/dashboards/{idle}")
        person.waits_for_text(marker("voila"))
    culling_hub.timings["culling: click on a culled dashboard to its content (s)"] = time.monotonic() - started

    # The owner starts her notebook server again from the home page: her files are there.
    owner.start_server()
    assert owner.read_file("notes.txt") == "kept across culling"


def test_a_restarted_hub_goes_on_culling(culling_hub: Hub) -> None:
    culling_hub.restart()
    latecomer = culling_hub.working_user(LATECOMER)
    since = time.monotonic()
    assert seconds_until_stopped(latecomer, "", since) <= STOPPED_BY
