"""The hub on Docker Swarm (hub/docker-stack.yml), from images pushed to a registry, every server a service.

What the compose hub guarantees must hold here too: the three-user scenario and a hub restart
(`docker service update --force`), no user-chosen mounts, privileges or images, no port of another user's service
reachable, users' files on a named volume per user (dockerspawner mounted it as a host path), a server the swarm
cannot run fails its start at once, with the task's error, and the egress policy (in each server's own network
namespace, containds_hub.egress_namespaces), on and off.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
import requests

from buildtool.graph import Graph
from containds_hub.backends.swarm import HUB_CPU_SHARES
from containds_hub.egress import METADATA
from containds_hub.egress_namespaces import CHAIN
from containds_hub.naming import dashboard_server_name
from tests.conftest import PROJECT_DIR
from tests.hub.attacks import ATTACK_NAMES, SOCKET, assert_only_the_proxy_is_reachable, attacks, private_dashboards
from tests.hub.deployment import keeping
from tests.hub.egress_probes import address_on, host_listener, namespace_chain, outside_container, probe
from tests.hub.hubclient import HubUser
from tests.hub.nodes import Worker, make_home, placement_settings, worker_image, worker_node
from tests.hub.scenarios import share_check_and_restart
from tests.hub.swarm import SwarmHub, deploy_swarm_hub, push_to, remove_swarm_hub, swarm_mode
from tests.hub.viewing import presentation_type, publish, wait_until_shown
from tests.registry import running_registry
from tests.waiting import wait_until

HUB_GROUP = "swarm"  # a deployment of its own: its own test worker

PROJECT = "containds-swarm"
OWNER, ATTACKER = "sofia", "oscar"
MISSING_IMAGE = "containds/no-such-image:1"  # in the test registry's allow list, never pushed


@dataclass(frozen=True)
class Pushed:
    """The hub and singleuser images in the test registry, pushed once for every stack of this module."""

    registry: str
    hub: str
    singleuser: str
    seconds: float


@pytest.fixture(scope="module")
def pushed(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
           singleuser_image_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pushed]:
    hub_name = graph.matrix.hub.name
    build_image(hub_name)
    build_image(singleuser_image_name)
    with swarm_mode(docker_client), running_registry(tmp_path_factory.mktemp("swarm-registry")) as registry:
        started = time.monotonic()
        references = push_to(docker_client, registry, hub_name, singleuser_image_name)
        yield Pushed(registry, references[hub_name], references[singleuser_image_name], time.monotonic() - started)


@pytest.fixture(scope="module")
def swarm_hub(pushed: Pushed, graph: Graph, docker_client: docker.DockerClient) -> Iterator[SwarmHub]:
    started = time.monotonic()
    hub = deploy_swarm_hub(docker_client, PROJECT, graph.matrix.line, pushed.hub, pushed.singleuser,
                           CDS_ALLOWED_IMAGES=f"{pushed.singleuser},{pushed.registry}/{MISSING_IMAGE}")
    hub.timings["swarm: push of the hub and singleuser images (s)"] = pushed.seconds
    hub.timings["swarm: stack deploy to API answering (s)"] = time.monotonic() - started
    try:
        yield hub
    finally:
        (PROJECT_DIR / "build").mkdir(exist_ok=True)
        (PROJECT_DIR / "build" / "swarm-timings.json").write_text(json.dumps(hub.timings, indent=2) + "\n")
        (PROJECT_DIR / "build" / "swarm-hub.log").write_text(hub.logs())  # to read when a test failed
        if not keeping():
            remove_swarm_hub(hub)


@pytest.fixture(scope="module")
def owner(swarm_hub: SwarmHub) -> HubUser:
    return swarm_hub.working_user(OWNER)


def test_dashboards_are_shared_exactly_as_configured_and_survive_a_hub_service_update(swarm_hub: SwarmHub) -> None:
    share_check_and_restart(swarm_hub, "swarm")


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_options_only_the_operator_may_choose_are_refused(swarm_hub: SwarmHub, attack: str) -> None:
    attacker = swarm_hub.logged_in(ATTACKER)
    options = attacks(swarm_hub.environment["CDS_HUB_IMAGE"])[attack]  # the hub's image: in the swarm's registry
    response = attacker.api("POST", f"users/{ATTACKER}/servers/probe", json=options)
    assert response.status_code == 400, f"{attack}: {response.status_code} {response.text[:300]}"
    assert not attacker.server_model("probe"), f"{attack}: a server was started"


def test_servers_run_as_services_exactly_as_the_operator_configured(swarm_hub: SwarmHub) -> None:
    swarm_hub.working_user(ATTACKER)  # their server runs
    service = swarm_hub.client.api.inspect_service(swarm_hub.server_state(ATTACKER)["object_id"])
    task = service["Spec"]["TaskTemplate"]
    spec = task["ContainerSpec"]
    home = swarm_hub.environment["CDS_HOME_VOLUME"].format(username=ATTACKER)
    assert [(m["Type"], m["Source"], m["Target"]) for m in spec["Mounts"]] == [("volume", home, "/home/jovyan")]
    assert spec["Image"].split("@")[0] == swarm_hub.environment["CDS_SINGLEUSER_IMAGE"]
    assert spec["CapabilityDrop"] == ["ALL"]
    assert spec["Healthcheck"]["Test"] == ["NONE"]
    network = swarm_hub.client.networks.get(swarm_hub.environment["CDS_DOCKER_NETWORK"])
    assert [n["Target"] for n in task["Networks"]] == [network.id]
    assert task["Resources"]["Limits"] == {"MemoryBytes": 2 * 1024**3, "NanoCPUs": 10**9, "Pids": 1024}
    assert task["RestartPolicy"]["Condition"] == "none"
    container = swarm_hub.container_of(ATTACKER)
    assert not container.attrs["HostConfig"]["Privileged"]
    assert SOCKET not in [m.get("Source", "") for m in container.attrs["Mounts"]]
    assert container.attrs["Config"]["User"] in ("", "jovyan", "1000")  # the image's unprivileged user
    hub_task = next(t for t in swarm_hub.tasks(swarm_hub.service) if t["Status"]["State"] == "running")
    hub = swarm_hub.client.containers.get(hub_task["Status"]["ContainerStatus"]["ContainerID"])
    assert hub.attrs["HostConfig"]["CpuShares"] == HUB_CPU_SHARES, "the hub weighs no more than a server"


def test_framework_ports_are_not_reachable_from_another_users_service(swarm_hub: SwarmHub, owner: HubUser,
                                                                     graph: Graph,
                                                                     singleuser_image_name: str) -> None:
    urlnames = private_dashboards(owner, graph, singleuser_image_name)
    swarm_hub.working_user(ATTACKER)  # their server runs
    servers = {framework: dashboard_server_name(urlname) for framework, urlname in urlnames.items()}
    # Not even the proxy's port: the egress policy refuses one server's connections to another.
    assert_only_the_proxy_is_reachable(swarm_hub, OWNER, ATTACKER, servers, proxy_open=False)
    for server in servers.values():  # five servers fewer on the machine for the tests that follow
        owner.stop_server(server)


def test_a_users_files_are_served_by_their_dashboard_and_survive_a_server_restart(swarm_hub: SwarmHub,
                                                                                   owner: HubUser) -> None:
    marker = "SWARM-FILE-7f3a"
    owner.write_file("data.txt", marker)
    owner.write_file("file-app.ipynb", json.dumps(_notebook("print(open('data.txt').read())")))
    urlname = owner.save_dashboard("Swarm file", presentation_type("voila"), "file-app.ipynb", None)
    swarm_hub.timings["swarm sofia: voila created to viewable (s)"] = _wait_for_text(
        owner, f"/hub/dashboards/{urlname}", marker)
    owner.stop_server()
    owner.start_server()
    assert owner.read_file("data.txt") == marker, "the file did not survive the server's restart"
    home = swarm_hub.environment["CDS_HOME_VOLUME"].format(username=OWNER)
    assert swarm_hub.client.volumes.get(home).attrs["Driver"] == "local"  # a volume, not a host path


def test_a_dashboard_whose_image_is_missing_fails_at_once_with_the_reason(swarm_hub: SwarmHub,
                                                                           owner: HubUser) -> None:
    registry = swarm_hub.environment["CDS_SINGLEUSER_IMAGE"].split("/")[0]
    owner.write_file("voila-broken.ipynb", json.dumps(_notebook("print('never shown')")))
    urlname = owner.save_dashboard("Swarm broken image", presentation_type("voila"), "voila-broken.ipynb", None)
    server = dashboard_server_name(urlname)
    owner.stop_server(server)  # saving started it with the hub's image; start it with the one never pushed
    options = {"presentation_type": presentation_type("voila"), "presentation_path": "voila-broken.ipynb",
               "git_repo": "", "git_repo_branch": "", "conda_env": "", "image": f"{registry}/{MISSING_IMAGE}"}
    failure, elapsed = _failed_start(owner, server, options)
    swarm_hub.timings["swarm: a dashboard with a missing image failed after (s)"] = elapsed
    assert MISSING_IMAGE.split(":")[0] in failure and "not found" in failure.lower(), failure
    assert elapsed < 60, f"the failure took {elapsed:.0f} s (the start timeout is 180 s)"


def test_a_server_no_node_can_take_fails_at_once_with_the_swarms_error(
        swarm_hub: SwarmHub, docker_client: docker.DockerClient) -> None:
    """A second stack whose servers must run on a node labelled as no node is: the swarm leaves the task
    pending with its reason, and the start ends at once with it."""
    nowhere = deploy_swarm_hub(docker_client, f"{PROJECT}-nowhere", swarm_hub.line,
                               swarm_hub.environment["CDS_HUB_IMAGE"], swarm_hub.environment["CDS_SINGLEUSER_IMAGE"],
                               CDS_SWARM_CONSTRAINTS="node.labels.containds-nowhere==true")
    try:
        user = nowhere.logged_in("pablo")
        failure, elapsed = _failed_start(user, "probe", {})
        swarm_hub.timings["swarm: a server no node can take failed after (s)"] = elapsed
        assert "could not run this server (pending)" in failure and "no suitable node" in failure, failure
        assert elapsed < 60, f"the failure took {elapsed:.0f} s (the start timeout is 180 s)"
    finally:
        remove_swarm_hub(nowhere)


def _failed_start(user: HubUser, server: str, options: dict) -> tuple[str, float]:
    """Start a server that must fail; returns the failure's message as the user gets it (in the answer to the
    request when it fails within JupyterHub's 10-second wait, else on the progress page) and the seconds from
    the request to it."""
    started = time.monotonic()
    response = user.api("POST", f"users/{user.name}/servers/{server}", json=options)
    if response.status_code in (201, 202):
        failure = _spawn_failure(user, server, timeout=180)
    else:
        assert response.status_code == 500, response.text[:300]
        failure = response.json()["message"]
    assert failure is not None, "the start did not fail"
    return failure, time.monotonic() - started


def _notebook(source: str) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                       "source": source}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _wait_for_text(user: HubUser, path: str, text: str, timeout: float = 240) -> float:
    started = time.monotonic()
    wait_until(lambda: text in user.open(path).text, timeout, interval=2, message=f"{text!r} never shown at {path}")
    return time.monotonic() - started


def _spawn_failure(user: HubUser, server: str, timeout: float) -> str | None:
    """The message of the spawn's failure event on its progress stream (what the progress page shows the
    user), or None if the server became ready or the stream ended without failing."""
    url = user.url(f"/hub/api/users/{user.name}/servers/{server}/progress")
    with user.session.get(url, stream=True, timeout=timeout,
                          headers={"Accept": "text/event-stream", "Referer": user.url("/hub/")}) as response:
        assert response.status_code == 200, response.text[:300]
        try:
            for line in response.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("failed"):
                    return event.get("message", "")
                if event.get("ready"):
                    return None
        except requests.exceptions.ConnectionError:
            return None
    return None


def test_the_form_offers_no_source_servers_on_swarm_and_says_why(owner: HubUser) -> None:
    """A source server's container runs on whichever node the swarm chose; the hub cannot snapshot it there."""
    form = owner.session.get(owner.url("/hub/dashboards-new"), timeout=60)
    assert form.status_code == 200 and "not on Docker Swarm" in form.text, form.text[:500]
    assert 'name="source_server"' not in form.text
    refused = owner.session.post(owner.url("/hub/dashboards-new"), timeout=60, allow_redirects=False, data={
        "name": "Swarm source", "description": "", "presentation_type": "voila", "start_path": "x.ipynb",
        "source_type": "jupytertree", "user_permissions": "anyusers", "source_server": "server:",
        "_xsrf": owner.xsrf()})
    assert refused.status_code == 400, refused.status_code


def test_idle_services_are_culled_and_a_culled_dashboard_comes_back(pushed: Pushed, graph: Graph,
                                                                   docker_client: docker.DockerClient) -> None:
    """The culler on Swarm (tests/hub/test_culling.py has the rest, on compose): an idle notebook service and an
    idle dashboard service are stopped within the same bound, and a viewer's open brings the dashboard back."""
    from tests.hub.test_culling import EVERY, STOPPED_BY, TIMEOUT, seconds_until_stopped

    hub = deploy_swarm_hub(docker_client, "containds-swcull", graph.matrix.line, pushed.hub, pushed.singleuser,
                           CDS_CULL_TIMEOUT=str(TIMEOUT), CDS_CULL_DASHBOARD_TIMEOUT=str(TIMEOUT),
                           CDS_CULL_EVERY=str(EVERY))
    try:
        owner = hub.working_user("cullen")
        urlname = publish(owner, "voila", "Swarm idle", None)
        viewer = hub.logged_in("vera")
        wait_until_shown(viewer, f"/hub/dashboards/{urlname}", "voila")
        since = time.monotonic()
        for server in (dashboard_server_name(urlname), ""):
            assert seconds_until_stopped(owner, server, since) <= STOPPED_BY, f"{server or 'notebook'} not culled"
        assert not [s for s in hub.spawned_services() if s["Spec"]["Name"].endswith("cullen")], "service left"
        wait_until_shown(viewer, f"/hub/dashboards/{urlname}", "voila")  # back, with no one else doing anything
        assert "Culling server cullen/" in hub.logs()
    finally:
        if not keeping():
            remove_swarm_hub(hub)


@pytest.fixture(scope="module")
def egress_targets(swarm_hub: SwarmHub, owner: HubUser,
                   docker_client: docker.DockerClient) -> Iterator[dict[str, tuple[str, int]]]:
    """Another user's server (the owner's notebook server, on the overlay); a listener on the host's address on
    docker_gwbridge (the way out of every Swarm container); a container outside every Docker network."""
    owner.start_server()
    network = swarm_hub.environment["CDS_DOCKER_NETWORK"]
    gateway = docker_client.networks.get("docker_gwbridge").attrs["IPAM"]["Config"][0]["Gateway"]
    with contextlib.ExitStack() as started:
        host = started.enter_context(host_listener(gateway))
        outsider = started.enter_context(outside_container(
            docker_client, swarm_hub.environment["CDS_HUB_IMAGE"], f"{PROJECT}-outsider", "cdsegress1",
            "10.254.78.0/30"))
        yield {"another user's server": (address_on(swarm_hub.container_of(OWNER), network), 8888),
               "the host": host, "a container outside": outsider}


def _swarm_probe(swarm_hub: SwarmHub, user: HubUser, targets: dict[str, tuple[str, int]]) -> dict[str, object]:
    return probe(user, f"http://{swarm_hub.environment['CDS_HUB_HOST']}:8081/hub/api", targets)


def test_servers_reach_the_hub_and_nothing_else_they_should_not_on_swarm(
        swarm_hub: SwarmHub, egress_targets: dict[str, tuple[str, int]]) -> None:
    attacker = swarm_hub.logged_in(ATTACKER)
    if attacker.server_model():
        attacker.stop_server()
    attacker.start_server()
    chain = namespace_chain(swarm_hub.container_of(ATTACKER), CHAIN)  # as soon as the hub calls it ready
    assert chain is not None, f"no {CHAIN} chain in the server's namespace once it was ready"
    assert f"-A {CHAIN} -d {METADATA} -j REJECT --reject-with icmp-admin-prohibited" in chain, chain
    found = _swarm_probe(swarm_hub, attacker, egress_targets)
    assert found["hub API"] == 200, found
    opened = [name for name in egress_targets if found[name] == "open"]
    assert not opened, f"reachable with the policy on: {opened} ({found})"


def test_with_the_policy_off_on_swarm_the_same_connections_succeed(
        swarm_hub: SwarmHub, egress_targets: dict[str, tuple[str, int]]) -> None:
    attacker = swarm_hub.working_user(ATTACKER)
    egress = f"{swarm_hub.project}_egress"
    for change, present in ((["--env-add", "CDS_EGRESS=false"], False), (["--env-rm", "CDS_EGRESS"], True)):
        result = subprocess.run(["docker", "service", "update", "--detach=false", "--quiet", *change, egress],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        wait_until(lambda wanted=present: _policy_in(swarm_hub.container_of(ATTACKER)) == wanted, 60,
                   message=f"the policy did not turn {'on' if present else 'off'}")
        if not present:
            found = _swarm_probe(swarm_hub, attacker, egress_targets)
            assert [found[name] for name in egress_targets] == ["open"] * len(egress_targets), found


def _policy_in(container: object) -> bool:
    return namespace_chain(container, CHAIN) is not None


# A real second node (tests/hub/nodes.py): last in this module, since once it has joined, servers without
# constraints may run there.
NODE_OWNER, NODE_VIEWER = "nora", "victor"
NODE_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def shared_homes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Storage both nodes mount at one path (here a directory of this machine, bound into the node's container at
    the same path, as an NFS mount would be on every node)."""
    return tmp_path_factory.mktemp("shared-homes")


@pytest.fixture(scope="module")
def worker(pushed: Pushed, build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
           shared_homes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    started = time.monotonic()
    image = worker_image(docker_client, build_image(graph.matrix.root.name))
    with worker_node(docker_client, image, "containds-node-2", pushed.registry,
                     tmp_path_factory.mktemp("node-socket"), shared_homes) as node:
        NODE_TIMINGS["second node: image, engine and join (s)"] = time.monotonic() - started
        yield node


@pytest.fixture(scope="module")
def nodes_hub(pushed: Pushed, graph: Graph, build_image: Callable[[str], str], docker_client: docker.DockerClient,
              worker: Worker, shared_homes: Path) -> Iterator[SwarmHub]:
    """Notebook servers on the manager, dashboards on the labelled worker, homes on the shared storage; the
    matrix's first voila image (its smallest) for every server: the worker pulls it."""
    smallest = next(t.name for t in graph.targets.values() if t.kind == "image" and "voila" in graph.frameworks(t.name))
    build_image(smallest)
    started = time.monotonic()
    image = push_to(docker_client, pushed.registry, smallest)[smallest]
    NODE_TIMINGS[f"push of {smallest} (s)"] = time.monotonic() - started
    hub = deploy_swarm_hub(docker_client, "containds-nodes", graph.matrix.line, pushed.hub, image,
                           **placement_settings(shared_homes))
    try:
        yield hub
    finally:
        (PROJECT_DIR / "build" / "swarm-nodes-hub.log").write_text(hub.logs())
        (PROJECT_DIR / "build" / "swarm-nodes-timings.json").write_text(json.dumps(NODE_TIMINGS, indent=2) + "\n")
        if not keeping():
            remove_swarm_hub(hub)


def test_a_dashboard_on_the_worker_shows_what_its_owner_wrote_on_the_manager(
        nodes_hub: SwarmHub, worker: Worker, shared_homes: Path) -> None:
    """The owner's notebook server runs on the manager and writes a file; their dashboard's server runs on the
    worker, from the same home; a viewer opens it through the hub on the manager and sees the file's text."""
    home = make_home(shared_homes, NODE_OWNER)
    owner = nodes_hub.working_user(NODE_OWNER)
    manager = nodes_hub.client.info()["Swarm"]["NodeID"]
    assert _node_of(nodes_hub, owner.name, "") == manager, "the notebook server is not on the manager"
    marker = "ON-THE-MANAGER-4d1c"
    owner.write_file("data.txt", marker)
    owner.write_file("node-app.ipynb", json.dumps(_notebook("print(open('data.txt').read())")))
    assert (home / "data.txt").read_text() == marker, "the home is not on the shared storage"
    started = time.monotonic()
    urlname = owner.save_dashboard("On the worker", presentation_type("voila"), "node-app.ipynb", None)
    viewer = nodes_hub.logged_in(NODE_VIEWER)
    _wait_for_text(viewer, f"/hub/dashboards/{urlname}", marker)
    NODE_TIMINGS["dashboard on the worker: saved to viewed, the image's pull included (s)"] = (
        time.monotonic() - started)
    assert _node_of(nodes_hub, owner.name, dashboard_server_name(urlname)) == worker.node_id, "not on the worker"
    assert worker.engine.containers.list(filters={"label": "com.docker.swarm.service.name"}), "nothing runs there"


def _node_of(hub: SwarmHub, user: str, server: str) -> str:
    """The node the server's running task is on."""
    service = hub.server_state(user, server)["object_id"]
    running = [t for t in hub.tasks(service) if t["Status"]["State"] == "running"]
    assert len(running) == 1, f"{user}/{server}: {len(running)} running tasks"
    return running[0]["NodeID"]


# The longest a server on a dead node may still count as running: the manager marks a node down after it missed
# its heartbeats (Docker's default: 5 s period, about 15 s to decide), then the hub's next poll of the server
# (JupyterHub's Spawner.poll_interval, 30 s, plus its jitter) asks for the task's node.
NODE_DEATH_NOTICED_WITHIN = 60
# Each look of the viewer while the node is dead gets a page, not a hang. A request the proxy had already sent to
# the dead node waits until the hub's kernel gives up on it: 39 s and more than 60 s were measured with the kernel's
# defaults (a reused connection retransmits for about 15 minutes); the stack file's sysctls make it about 25 s, after
# which the proxy answers 503 and the hub shows its error page. Every look after the hub noticed is answered at once.
VIEWER_ANSWERED_WITHIN = 45
SURVIVOR = "SURVIVES-THE-NODE-7e2a"


def test_a_dashboard_whose_node_dies_is_reported_stopped_and_starts_again_on_a_live_node(
        nodes_hub: SwarmHub, worker: Worker, shared_homes: Path) -> None:
    """Runs last: it kills the worker node (its whole machine: the container of its engine) while a dashboard runs
    there. The hub reports that server stopped within a stated time; its viewer gets a page at every look, never a
    hang, and the next start lands on a live node (the manager: CDS_SWARM_DASHBOARD_PLACEMENT's `preferred`); the
    hub's database keeps every user, dashboard and viewer group."""
    make_home(shared_homes, NODE_OWNER)
    owner = nodes_hub.working_user(NODE_OWNER)
    owner.write_file("survivor.ipynb", json.dumps(_notebook(f"print('{SURVIVOR}')")))
    viewer = nodes_hub.logged_in(NODE_VIEWER)  # a user the hub knows, before they are chosen as a viewer
    urlname = owner.save_dashboard("Node dies", presentation_type("voila"), "survivor.ipynb", [NODE_VIEWER])
    server = dashboard_server_name(urlname)
    path = f"/hub/dashboards/{urlname}"
    _wait_for_text(viewer, path, SURVIVOR)
    assert _node_of(nodes_hub, owner.name, server) == worker.node_id, "the dashboard is not on the worker"
    records = _hub_records(nodes_hub)

    killed = time.monotonic()
    worker.container.kill()
    with ThreadPoolExecutor(1) as watcher:  # the hub's word, apart from the viewer's looks (one may take a while)
        noticed = watcher.submit(_seconds_until_stopped, owner, server, killed)
        looks: list[tuple[float, str, float]] = []  # (seconds after the kill, what the viewer got, in how long)
        while time.monotonic() - killed < NODE_DEATH_NOTICED_WITHIN + 240:
            looks.append((round(time.monotonic() - killed, 1), *_look(viewer, path)))
            if looks[-1][1] == "content":
                break
            time.sleep(2)
        noticed_after = noticed.result()
    NODE_TIMINGS["node killed to its server reported stopped (s)"] = noticed_after
    NODE_TIMINGS["node killed to the dashboard shown again (s)"] = looks[-1][0] + looks[-1][2]
    NODE_TIMINGS["the viewer's longest wait for a page (s)"] = max(look[2] for look in looks)
    (PROJECT_DIR / "build" / "swarm-node-death.json").write_text(json.dumps(looks, indent=1) + "\n")
    assert noticed_after <= NODE_DEATH_NOTICED_WITHIN, (
        f"the hub called the server running for {noticed_after:.0f} s after its node died")
    hangs = [look for look in looks if look[1] == "no answer"]
    assert not hangs, f"the viewer waited more than {VIEWER_ANSWERED_WITHIN} s for a page: {looks}"
    assert looks[-1][1] == "content", f"the dashboard never came back: {looks}"
    manager = nodes_hub.client.info()["Swarm"]["NodeID"]
    assert _node_of(nodes_hub, owner.name, server) == manager, "the new start is not on the live node"
    assert nodes_hub.client.nodes.get(worker.node_id).attrs["Status"]["State"] == "down"
    assert _hub_records(nodes_hub) == records, "the hub's database lost something"


def _look(viewer: HubUser, path: str) -> tuple[str, float]:
    """What the viewer gets at one look at a dashboard (its content, the hub's progress page, an error page with
    its status, or no answer within VIEWER_ANSWERED_WITHIN seconds) and how long it took."""
    started = time.monotonic()
    try:
        response = viewer.session.get(viewer.url(path), timeout=VIEWER_ANSWERED_WITHIN)
    except requests.RequestException:
        return "no answer", VIEWER_ANSWERED_WITHIN
    took = round(time.monotonic() - started, 1)
    if SURVIVOR in response.text:
        return "content", took
    if response.status_code == 200 and 'id="progress-heading"' in response.text:
        return "progress page", took
    return f"error page {response.status_code}", took


def _seconds_until_stopped(user: HubUser, server: str, since: float) -> float:
    """Seconds from `since` until the hub no longer calls the user's server running."""
    def stopped() -> bool:
        model = user.api("GET", f"users/{user.name}").json()
        return not model["servers"].get(server, {}).get("ready")

    wait_until(stopped, NODE_DEATH_NOTICED_WITHIN + 60, interval=0.5,
               message=f"the hub still calls {user.name}/{server} running")
    return round(time.monotonic() - since, 1)


def _hub_records(hub: SwarmHub) -> dict[str, list]:
    """Users, dashboards and group members as the hub's database holds them (read in the hub's container)."""
    queries = {"users": "SELECT name FROM users ORDER BY name",
               "dashboards": "SELECT urlname, user_id, allow_all, group_id FROM dashboards ORDER BY urlname",
               "members": "SELECT g.name, u.name FROM user_group_map m JOIN groups g ON g.id = m.group_id "
                          "JOIN users u ON u.id = m.user_id ORDER BY 1, 2"}
    script = ("import json, sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
              "print(json.dumps({k: db.execute(q).fetchall() for k, q in json.loads(sys.argv[2]).items()}))")
    hub_container = next(iter(hub.client.containers.list(filters={"label": f"com.docker.swarm.service.name="
                                                                            f"{hub.service}"})))
    result = hub_container.exec_run(["python3", "-c", script, "/srv/jupyterhub/data/jupyterhub.sqlite",
                                     json.dumps(queries)])
    assert result.exit_code == 0, result.output.decode()
    return json.loads(result.output)
