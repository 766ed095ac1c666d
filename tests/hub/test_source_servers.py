"""Source servers: a dashboard built from a snapshot of one of its owner's servers, with what was installed there
(containds_hub.snapshots, .handlers, .builder), on a compose hub of its own.

alice installs a module into her notebook server's environment (site-packages, outside her home) and a data file
under /opt/conda, through the server itself (code run in a kernel, as in JupyterLab); a voila dashboard that
imports and prints them shows them to her and to bob when it has her server as its source, and not without; a
new version installed and the dashboard saved again is what is served. A snapshot holds nothing the hub set in the
server's environment; only the owner's own servers can be a source; a snapshot runs only as its dashboard;
snapshots are replaced, labelled and removed with their dashboard; a source server that is not running is said to
be so on the dashboard's page.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator

import docker
import pytest
import requests

from buildtool.graph import Graph
from containds_hub.naming import dashboard_server_name
from containds_hub.snapshots import LABEL_PREFIX
from tests.hub.deployment import Hub, deployed_hub
from tests.hub.hubclient import HubUser
from tests.hub.kernels import run_in_kernel
from tests.waiting import wait_until

HUB_GROUP = "sources"  # a deployment of its own: its own test worker
PROJECT = "containds-src"
OWNER, VIEWER = "alice", "bob"
REPOSITORY = "containds-src-snapshots"
NOTEBOOK = "probe.ipynb"
# Outside the owner's home, where the notebook user may write: the environment (/usr/local is root's in these
# images, and no server can become root: no-new-privileges, no capabilities).
DATA = "/opt/conda/share/containds-probe/data.txt"
CODE = """
try:
    import containds_probe
    print("PROBE", containds_probe.VERSION, open(containds_probe.DATA).read())
except ImportError as error:
    print("NO PROBE:", error)
"""
INSTALL = """
import pathlib, sysconfig
site = pathlib.Path(sysconfig.get_paths()["purelib"])
data = pathlib.Path({data!r})
data.parent.mkdir(parents=True, exist_ok=True)
data.write_text("DATA-{version}")
(site / "containds_probe.py").write_text("VERSION = 'V-{version}'\\nDATA = {data!r}\\n")
print("installed", site)
"""


def notebook() -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}, "cells": [
        {"cell_type": "code", "id": "probe", "metadata": {}, "execution_count": None, "outputs": [],
         "source": CODE}]})


@pytest.fixture(scope="module")
def sources_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
                singleuser_image_name: str) -> Iterator[Hub]:
    for image in docker_client.images.list(filters={"label": f"{LABEL_PREFIX}hub={PROJECT}"}):
        docker_client.images.remove(image.id, force=True)  # a run that was stopped before its teardown left it
    with deployed_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                      build_image(singleuser_image_name), CDS_SNAPSHOT_REPOSITORY=REPOSITORY) as hub:
        yield hub
    for image in snapshots(hub):  # once its servers are gone: then no container uses a snapshot
        docker_client.images.remove(image.id, force=True)


@pytest.fixture(scope="module")
def owner(sources_hub: Hub) -> HubUser:
    user = sources_hub.working_user(OWNER)
    user.write_file(NOTEBOOK, notebook())
    assert "installed" in run_in_kernel(user, INSTALL.format(version="one", data=DATA))
    return user


def snapshots(hub: Hub, dashboard_id: int | None = None) -> list:
    labels = [f"{LABEL_PREFIX}hub={hub.environment['CDS_CONTAINER_PREFIX']}"]
    if dashboard_id is not None:
        labels.append(f"{LABEL_PREFIX}dashboard-id={dashboard_id}")
    return hub.client.images.list(filters={"label": labels})


def save(owner: HubUser, name: str, source: str | None, urlname: str | None = None) -> requests.Response:
    """The New (or Edit) Dashboard form, with a source server (`server:<name>`), or none."""
    form = {"name": name, "description": "source server fixture", "presentation_type": "voila",
            "start_path": NOTEBOOK, "source_type": "jupytertree", "user_permissions": "anyusers",
            "_xsrf": owner.xsrf(), **({"source_server": source} if source is not None else {})}
    path = f"/hub/dashboards/{urlname}/edit" if urlname else "/hub/dashboards-new"
    return owner.session.post(owner.url(path), data=form, timeout=120, allow_redirects=False)


def urlname_of(response: requests.Response) -> str:
    match = re.search(r"/hub/dashboards/([^/]+)$", response.headers.get("Location", ""))
    assert response.status_code == 302 and match, f"{response.status_code} {response.text[:500]}"
    return match.group(1)


def shown(viewer: HubUser, urlname: str, text: str, timeout: float = 240) -> str:
    """What the voila page shows once it shows `text` (voila renders the notebook's output into the page)."""
    def page() -> str | None:
        response = viewer.open(f"/hub/dashboards/{urlname}")
        return response.text if response.status_code == 200 and text in response.text else None
    return wait_until(page, timeout, interval=3, message=f"{viewer.name} never saw {text!r} at {urlname}")


def test_a_dashboard_built_from_its_owners_server_has_what_was_installed_there(
        sources_hub: Hub, owner: HubUser) -> None:
    viewer = sources_hub.logged_in(VIEWER)
    with_source = urlname_of(save(owner, "With source", "server:"))
    without = urlname_of(save(owner, "Without source", None))
    for person in (owner, viewer):
        assert "PROBE V-one DATA-one" in shown(person, with_source, "PROBE V-one")
    assert "NO PROBE" in shown(viewer, without, "NO PROBE")

    images = snapshots(sources_hub)
    assert len(images) == 1, [i.tags for i in images]
    snapshot = images[0]
    labels = snapshot.labels
    assert labels[f"{LABEL_PREFIX}owner"] == OWNER and labels[f"{LABEL_PREFIX}dashboard"] == with_source
    assert labels[f"{LABEL_PREFIX}source-server"] == "" and labels[f"{LABEL_PREFIX}created"]
    assert snapshot.tags[0].startswith(f"{REPOSITORY}:{with_source}-")
    running = sources_hub.container_of(OWNER, dashboard_server_name(with_source))
    assert running.image.id == snapshot.id  # the dashboard's server runs the snapshot

    # Nothing the hub set in the source server's environment is in the snapshot: not in its config, its history
    # or any of its layers.
    source = sources_hub.container_of(OWNER)
    secrets = {item.split("=", 1)[1] for item in source.attrs["Config"]["Env"]
               if item.split("=", 1)[0].startswith(("JUPYTERHUB_", "JPY_")) and len(item.split("=", 1)[1]) >= 16}
    assert secrets, "the source server has no hub token to leak?"
    environment = snapshot.attrs["Config"]["Env"]
    assert not [item for item in environment if item.startswith(("JUPYTERHUB_", "JPY_", "CDS_"))], environment
    history = json.dumps(snapshot.history())
    assert not [s for s in secrets if s in history]
    layers = b"".join(snapshot.save(named=True))
    assert not [s for s in secrets if s.encode() in layers], "a hub token is in the snapshot's layers"

    # A new version installed in the server, the dashboard saved again: the new version is served, the previous
    # snapshot is gone.
    run_in_kernel(owner, INSTALL.format(version="two", data=DATA))
    urlname_of(save(owner, "With source", "server:", urlname=with_source))
    assert "PROBE V-two DATA-two" in shown(viewer, with_source, "PROBE V-two")
    wait_until(lambda: snapshot.id not in {i.id for i in snapshots(sources_hub)}, 60,
               message="the previous snapshot was not removed")
    (saved,) = snapshots(sources_hub)

    # Its server stopped and brought back by a visit: a new snapshot, and the one before it removed.
    owner.stop_server(dashboard_server_name(with_source))
    assert "PROBE V-two DATA-two" in shown(viewer, with_source, "PROBE V-two")
    wait_until(lambda: [i.id for i in snapshots(sources_hub)] not in ([], [saved.id]), 60,
               message="the restarted dashboard took no new snapshot")
    wait_until(lambda: len(snapshots(sources_hub)) == 1, 60, message="the snapshot before the restart stayed")


def test_only_the_owners_own_notebook_servers_can_be_a_source(sources_hub: Hub, owner: HubUser) -> None:
    other = sources_hub.working_user("mallory")
    other.start_server("stash")
    own = urlname_of(save(owner, "Own source", None))
    before = {i.id for i in sources_hub.client.images.list()}
    listed_before = owner.session.get(owner.url("/hub/dashboards-api"), timeout=60).json()
    for value in ("server:stash", f"server:{dashboard_server_name(own)}", "server:../mallory/stash", "mallory/",
                  "mallory", "server:stash/..", "server"):
        response = save(owner, "Crafted source", value)
        assert response.status_code == 400, f"{value!r}: {response.status_code}"
    assert owner.session.get(owner.url("/hub/dashboards-api"), timeout=60).json() == listed_before  # none saved
    assert {i.id for i in sources_hub.client.images.list()} == before  # nothing committed


def test_a_snapshot_runs_only_as_its_dashboard(sources_hub: Hub, owner: HubUser) -> None:
    (snapshot,) = snapshots(sources_hub)
    for user in (owner, sources_hub.logged_in(VIEWER)):  # as a notebook server of the owner's, or of another
        response = user.api("POST", f"users/{user.name}/servers/with-snapshot", json={"image": snapshot.tags[0]})
        assert response.status_code == 400, f"{user.name} started {snapshot.tags[0]}: {response.status_code}"
    # Even when an operator allows the image by name, a server that is not its dashboard's does not run it.
    allowed = "containds-src-allowed:probe"
    snapshot.tag(allowed)
    try:
        viewer = sources_hub.logged_in(VIEWER)
        response = viewer.api("POST", f"users/{viewer.name}/servers/tryit", json={"image": allowed})
        assert response.status_code in (400, 500) or not viewer.server_model("tryit").get("ready"), response.text
        assert not [c for c in sources_hub.client.containers.list() if c.image.id == snapshot.id
                    and c.name.endswith("tryit")]
    finally:
        sources_hub.client.images.remove(allowed)


def test_a_source_server_that_is_not_running_is_said_to_be(sources_hub: Hub, owner: HubUser) -> None:
    owner.start_server("scratch")
    urlname = urlname_of(save(owner, "Stopped source", "server:scratch"))
    shown(owner, urlname, "NO PROBE")  # a fresh server: nothing installed in it
    owner.stop_server("scratch")
    urlname_of(save(owner, "Stopped source", "server:scratch", urlname=urlname))

    def failure() -> str | None:
        failed = [e for e in progress_events(owner, urlname) if e.get("failed")]
        return failed[-1]["message"] if failed else None

    message = wait_until(failure, 120, interval=2, message="the dashboard's page never said why it did not start")
    assert "is not running" in message and "scratch" in message, message


def test_deleting_a_dashboard_removes_its_snapshots(sources_hub: Hub, owner: HubUser) -> None:
    urlname = urlname_of(save(owner, "Deleted soon", "server:"))
    shown(owner, urlname, "PROBE")
    assert len(snapshots(sources_hub)) == 2
    deleted = owner.session.delete(owner.url(f"/hub/dashboards-api/{urlname}"),
                                   headers={"X-XSRFToken": owner.xsrf()}, timeout=120)
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: len(snapshots(sources_hub)) == 1, 60, message="the dashboard's snapshot was not removed")


def progress_events(user: HubUser, urlname: str, timeout: float = 180) -> list[dict]:
    """The dashboard's progress stream (the page's EventSource), until it ends."""
    url = user.url(f"/hub/dashboards-api/{urlname}/progress?_xsrf={user.xsrf()}")
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    with user.session.get(url, stream=True, timeout=timeout, headers={"Accept": "text/event-stream"}) as stream:
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("failed") or events[-1].get("ready"):
                    break
            if time.monotonic() > deadline:
                break
    return events
