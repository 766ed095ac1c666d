"""The hub from hub/docker-compose.yml, three users, real spawned containers from our images.

alice writes the apps through her notebook server and shares a voila and a streamlit dashboard with bob and a
dash dashboard with all users; bob sees all three, carol only the all-users one; nobody reaches alice's
notebook server; switching a dashboard to all users lets carol in; a hub restart keeps everything.
Timings go to build/e2e-timings.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors
import pytest
import requests

from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.docker.browser import chromium, visible_text_contains
from tests.hub.hubclient import HubUser

COMPOSE_FILE = PROJECT_DIR / "hub" / "docker-compose.yml"
APPS = PROJECT_DIR / "tests" / "fixtures" / "apps"
PROJECT = "containds-e2e"
HUB_HOST = "containds-hub-e2e"
USERS = ("alice", "bob", "carol")
FRAMEWORKS = ("voila", "streamlit", "dash")  # the two the issue names, and a third for "all users"


@dataclass
class Hub:
    base_url: str
    password: str
    environment: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    def user(self, name: str) -> HubUser:
        return HubUser(self.base_url, name, self.password)

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker-compose", "-p", PROJECT, "-f", str(COMPOSE_FILE), *args], env=self.environment,
                              capture_output=True, text=True, timeout=300)

    def wait_until_up(self, timeout: float = 120) -> None:
        """JupyterHub 5 may answer 404 for a moment after it starts: poll until its API says 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base_url}/hub/api", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)
        logs = subprocess.run(["docker", "logs", "--tail", "60", HUB_HOST], capture_output=True, text=True)
        raise AssertionError(f"the hub did not come up:\n{logs.stdout}{logs.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _remove_leftovers(client: docker.DockerClient) -> None:
    """Spawned containers and the users' home volumes of an earlier run (the compose down takes the rest)."""
    for container in client.containers.list(all=True, filters={"name": "jupyter-"}):
        if any(container.name.startswith(f"jupyter-{user}") for user in USERS):
            container.remove(force=True)
    for user in USERS:
        with contextlib.suppress(docker.errors.NotFound):
            client.volumes.get(f"containds-home-{user}").remove(force=True)


@pytest.fixture(scope="module")
def singleuser_image_name(graph: Graph) -> str:
    """The first singleuser image of the matrix that has every framework this test uses."""
    return next(t.name for t in graph.targets.values()
                if t.kind == "image" and set(FRAMEWORKS) <= set(graph.frameworks(t.name)))


@pytest.fixture(scope="module")
def hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
        singleuser_image_name: str) -> Iterator[Hub]:
    port = _free_port()
    environment = {
        **os.environ,
        "CDS_HUB_IMAGE": build_image(graph.matrix.hub.name),
        "CDS_SINGLEUSER_IMAGE": build_image(singleuser_image_name),
        "CDS_HUB_HOST": HUB_HOST,
        "CDS_PUBLISHED_PORT": str(port),
        "CDS_DATA_VOLUME": f"{PROJECT}-data",
        "CDS_AUTHENTICATOR": "dummy",
        "CDS_DUMMY_PASSWORD": secrets.token_urlsafe(12),
        "CDS_ADMIN_USERS": "alice",
        "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid),
    }
    hub = Hub(f"http://127.0.0.1:{port}", environment["CDS_DUMMY_PASSWORD"], environment)
    hub.compose("down", "-v")
    _remove_leftovers(docker_client)
    result = hub.compose("up", "-d")
    assert result.returncode == 0, result.stderr
    try:
        hub.wait_until_up()
        yield hub
    finally:
        (PROJECT_DIR / "build").mkdir(exist_ok=True)
        (PROJECT_DIR / "build" / "e2e-timings.json").write_text(json.dumps(hub.timings, indent=2) + "\n")
        if not os.environ.get("CDS_E2E_KEEP"):  # set it to look at the hub after a failure
            _remove_leftovers(docker_client)
            hub.compose("down", "-v")


def _marker(framework: str) -> str:
    return (APPS / framework / "expected.txt").read_text().strip()


def _app_file(framework: str) -> Path:
    return next(p for p in sorted((APPS / framework).iterdir()) if p.stem == "app")


def _shows(viewer: HubUser, path: str, framework: str) -> bool:
    """Whether `viewer` sees what only the app computes. Voila and dash deliver it over HTTP; streamlit only
    renders it in a browser, which gets the viewer's cookies."""
    marker = _marker(framework)
    response = viewer.open(path)
    if response.status_code != 200:
        return False
    if framework == "voila":
        return marker in response.text
    if framework == "dash":
        layout = viewer.session.get(response.url.rstrip("/") + "/_dash-layout", timeout=60)
        return layout.status_code == 200 and marker in layout.text
    with chromium() as browser:
        return visible_text_contains(browser, response.url, marker, cookies=viewer.session.cookies)


def _wait_until_shown(viewer: HubUser, path: str, framework: str, timeout: float = 240) -> float:
    """Open a dashboard (which starts its server on first view) until its content shows; returns seconds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _shows(viewer, path, framework):
            return time.monotonic() - started
        time.sleep(2)
    raise AssertionError(f"{viewer.name} never saw {framework} at {path}")


def _refused(viewer: HubUser, path: str, framework: str) -> bool:
    """Refused: no response on the way (hub page, OAuth, the server) carries the app's content."""
    response = viewer.open(path)
    contents = [response.text, *(r.text for r in response.history)]
    return response.status_code in (403, 404) and not any(_marker(framework) in text for text in contents)


def test_dashboards_are_shared_exactly_as_configured_and_survive_a_restart(hub: Hub) -> None:
    alice, bob, carol = (hub.user(name) for name in USERS)
    started = time.monotonic()
    alice.login()
    alice.start_server()
    hub.timings["alice: login to notebook server ready (s)"] = time.monotonic() - started
    for viewer in (bob, carol):  # selected viewers must exist when a dashboard is shared with them
        viewer.login()
    for framework in FRAMEWORKS:
        alice.write_file(f"{framework}-{_app_file(framework).name}", _app_file(framework).read_text())

    shared = {
        "voila": alice.save_dashboard("Voila fixture", "voila", "voila-app.ipynb", ["bob"]),
        "streamlit": alice.save_dashboard("Streamlit fixture", "streamlit", "streamlit-app.py", ["bob"]),
        "dash": alice.save_dashboard("Dash fixture", "plotlydash", "dash-app.py", None),
    }
    paths = {fw: f"/hub/dashboards/{urlname}" for fw, urlname in shared.items()}
    for framework, path in paths.items():
        hub.timings[f"alice: {framework} created to viewable (s)"] = _wait_until_shown(alice, path, framework)

    for framework, path in paths.items():
        started = time.monotonic()
        assert _shows(bob, path, framework), f"bob cannot see the {framework} dashboard"
        hub.timings[f"bob: first render of {framework} (s)"] = time.monotonic() - started
    assert _shows(carol, paths["dash"], "dash"), "carol cannot see the all-users dashboard"
    for framework in ("voila", "streamlit"):
        assert _refused(carol, paths[framework], framework), f"carol was not refused {framework}"
        direct = f"/user/alice/dash-{shared[framework]}/"
        assert _refused(carol, direct, framework), f"carol reached the {framework} server directly"
    for viewer in (bob, carol):
        response = viewer.session.get(f"{hub.base_url}/user/alice/api/contents", timeout=60)
        assert response.status_code == 403, f"{viewer.name} reached alice's notebook server"

    alice.save_dashboard("Voila fixture", "voila", "voila-app.ipynb", None, urlname=shared["voila"])
    hub.timings["carol: voila switched to all users to viewable (s)"] = _wait_until_shown(
        carol, paths["voila"], "voila")

    restart = subprocess.run(["docker", "restart", HUB_HOST], capture_output=True, text=True, timeout=120)
    assert restart.returncode == 0, restart.stderr
    hub.wait_until_up()
    listed = alice.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60)  # the session from before
    assert listed.status_code == 200, f"alice's login did not survive the restart: {listed.status_code}"
    assert {d["name"] for d in listed.json()["_owned"]} == {"Voila fixture", "Streamlit fixture", "Dash fixture"}
    visible_to_carol = carol.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60).json()
    assert {d["name"] for d in visible_to_carol.get("alice", [])} == {"Voila fixture", "Dash fixture"}
    for framework, path in paths.items():
        started = time.monotonic()
        assert _shows(bob, path, framework), f"bob lost access to {framework} after the restart"
        hub.timings[f"bob: {framework} after the hub restart (s)"] = time.monotonic() - started
    assert _shows(carol, paths["voila"], "voila") and _shows(carol, paths["dash"], "dash")
    assert _refused(carol, paths["streamlit"], "streamlit"), "carol got the bob-only dashboard after the restart"


def test_a_dashboard_that_cannot_start_shows_an_error_and_the_others_keep_working(
    hub: Hub, graph: Graph, singleuser_image_name: str
) -> None:
    """A framework the image lacks (the app's command is missing): its viewer gets an error page, quickly, and
    every other dashboard is still served."""
    missing = next(fw for fw in graph.matrix.frameworks.values()
                   if fw.presentation_type and fw.name not in graph.frameworks(singleuser_image_name))
    alice, bob = hub.user("alice"), hub.user("bob")
    alice.login()
    bob.login()
    alice.write_file("dash-app.py", _app_file("dash").read_text())
    working = alice.save_dashboard("Working fixture", "plotlydash", "dash-app.py", None)
    alice.write_file("broken-app", "this app's framework is not in the image\n")
    urlname = alice.save_dashboard("Broken fixture", missing.presentation_type, "broken-app", None)
    deadline = time.monotonic() + 180
    response = alice.open(f"/hub/dashboards/{urlname}")
    while time.monotonic() < deadline and response.status_code < 500 and "error" not in response.text.lower():
        time.sleep(2)
        response = alice.open(f"/hub/dashboards/{urlname}")
    assert response.status_code >= 500 or "error" in response.text.lower(), response.text[:500]
    _wait_until_shown(bob, f"/hub/dashboards/{working}", "dash")  # the hub still serves the others
