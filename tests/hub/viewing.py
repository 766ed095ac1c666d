"""Whether a hub user sees a dashboard: what only the fixture app computes must be on the page (or not at all)."""

from __future__ import annotations

import functools
import time
from pathlib import Path

from tests.conftest import PROJECT_DIR, _matrix_under_test
from tests.docker.browser import chromium, visible_text_contains
from tests.hub.hubclient import HubUser
from tests.waiting import wait_until

APPS = PROJECT_DIR / "tests" / "fixtures" / "apps"


def marker(framework: str) -> str:
    return (APPS / framework / "expected.txt").read_text().strip()


def app_file(framework: str) -> Path:
    return next(p for p in sorted((APPS / framework).iterdir()) if p.stem == "app")


def shows(viewer: HubUser, path: str, framework: str) -> bool:
    """Whether `viewer` sees what only the app computes. Voila and dash deliver it over HTTP; the others only
    render it in a browser, which gets the viewer's cookies."""
    response = viewer.open(path)
    if response.status_code != 200:
        return False
    if framework == "voila":
        return marker(framework) in response.text
    if framework == "dash":
        layout = viewer.session.get(response.url.rstrip("/") + "/_dash-layout", timeout=60)
        return layout.status_code == 200 and marker(framework) in layout.text
    with chromium() as browser:
        return bool(visible_text_contains(browser, response.url, marker(framework), cookies=viewer.session.cookies))


def wait_until_shown(viewer: HubUser, path: str, framework: str, timeout: float = 240) -> float:
    """Open a dashboard (which starts its server on first view) until its content shows; returns seconds."""
    started = time.monotonic()
    wait_until(lambda: shows(viewer, path, framework), timeout, interval=2,
               message=f"{viewer.name} never saw {framework} at {path}")
    return time.monotonic() - started


def refused(viewer: HubUser, path: str, framework: str) -> bool:
    """Refused: no response on the way (hub page, OAuth, the server) carries the app's content."""
    response = viewer.open(path)
    contents = [response.text, *(r.text for r in response.history)]
    return response.status_code in (403, 404) and not any(marker(framework) in text for text in contents)


def publish(owner: HubUser, framework: str, name: str, viewers: list[str] | None) -> str:
    """Write the framework's fixture app into the owner's home and make a dashboard of it; returns its urlname.
    The owner's notebook server must be running."""
    path = f"{framework}-{app_file(framework).name}"
    owner.write_file(path, app_file(framework).read_text())
    return owner.save_dashboard(name, presentation_type(framework), path, viewers)


@functools.cache
def presentation_type(framework: str) -> str:
    """The cdsdashboards presentation type a framework's dashboards are saved with (matrix.yaml:
    frameworks.<name>.presentation_type; e.g. dash's is plotlydash)."""
    found = _matrix_under_test().frameworks[framework].presentation_type
    if found is None:
        raise ValueError(f"{framework} is no dashboard framework: it has no presentation type")
    return found


def dashboard_group(urlname: str) -> str:
    """The group cdsdashboards makes for a dashboard's selected viewers (its Dashboard.groupname): the one the
    dashboard's server is told to admit (JUPYTERHUB_GROUP)."""
    return f"dash-{urlname}"
