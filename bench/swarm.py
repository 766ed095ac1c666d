"""Benchmark: a dashboard's spawn on Docker Swarm against compose, same images, same machine, one run.

    python bench/swarm.py      (builds what it needs; makes a single-node swarm if the engine is in none)

One hub from hub/docker-compose.yml and one from hub/docker-stack.yml (its images pushed to a throw-away registry
with `python -m buildtool push`), one after the other, with the same hub and singleuser images. On each, the
owner saves five voila dashboards shared with all users and opens each until the notebook's output shows (save
to content: the form, the server's start, voila), then stops and starts each dashboard's server through the API
(spawn: the request to the server answering, as JupyterHub measures it). Medians of five.

Then a second node (tests/hub/nodes.py: an engine in a container, joined as a worker): the singleuser image's pull
to it, and one dashboard's server started on the worker and on the manager in turn (its node chosen by moving the
label CDS_SWARM_DASHBOARD_CONSTRAINTS asks for), three times each. Results: bench/results-swarm.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import docker
from common import PROJECT_DIR, built, header, publish, voila_hub_images

from containds_hub.naming import dashboard_server_name

sys.path.insert(0, str(PROJECT_DIR))  # the tests' deployment helpers
from lines import save_until_shown, voila_owner

from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.nodes import label_for_dashboards, make_home, placement_settings, worker_image, worker_node
from tests.hub.swarm import deploy_swarm_hub, push_to, remove_swarm_hub, swarm_mode
from tests.registry import running_registry

RESULTS = PROJECT_DIR / "bench" / "results-swarm.md"
DASHBOARDS = 5
STARTS = 3  # per node, second-node part


def measure(hub: Hub) -> tuple[float, float]:
    """Medians of save-to-content and of a dashboard server's spawn, in seconds."""
    owner = voila_owner(hub)
    to_content, spawns = [], []
    for i in range(DASHBOARDS):
        urlname, seconds = save_until_shown(owner, f"Bench {i}")
        to_content.append(seconds)
        server = dashboard_server_name(urlname)
        options = owner.server_model(server).get("user_options") or {}
        owner.stop_server(server)
        spawns.append(owner.start_server(server, options))
    return statistics.median(to_content), statistics.median(spawns)


def measure_nodes(client: docker.DockerClient, line: str, registry: str, hub_ref: str, image_ref: str,
                  work: Path) -> dict[str, float]:
    """The second-node part: seconds of the image's pull to the worker, medians of a dashboard server's start
    on each node."""
    from buildtool.matrix import load_matrix

    shared, sockets = work / "homes", work / "sockets"
    shared.mkdir()
    sockets.mkdir()
    root = load_matrix(PROJECT_DIR / "matrix.yaml").root.name
    figures: dict[str, float] = {}
    with worker_node(client, worker_image(client, built(line, [root])[0]), "containds-bench-node", registry,
                     sockets, shared) as worker:
        started = time.monotonic()
        worker.engine.images.pull(image_ref)
        figures["pull"] = time.monotonic() - started
        hub = deploy_swarm_hub(client, "containds-bench-nodes", line, hub_ref, image_ref, **placement_settings(shared))
        try:
            make_home(shared, "alice")  # voila_owner's
            owner = voila_owner(hub)
            urlname, _seconds = save_until_shown(owner, "On two nodes")
            server = dashboard_server_name(urlname)
            options = owner.server_model(server).get("user_options") or {}
            manager = client.info()["Swarm"]["NodeID"]
            for name, node in (("worker", worker.node_id), ("manager", manager)):
                label_for_dashboards(client, worker.node_id, on=node == worker.node_id)
                label_for_dashboards(client, manager, on=node == manager)
                starts = []
                for _ in range(STARTS):
                    owner.stop_server(server)
                    starts.append(owner.start_server(server, options))
                    task = next(t for t in hub.tasks(hub.server_state(owner.name, server)["object_id"])
                                if t["Status"]["State"] == "running")
                    assert task["NodeID"] == node, f"the dashboard's server is not on the {name}"
                figures[name] = statistics.median(starts)
            label_for_dashboards(client, manager, on=False)
        finally:
            remove_swarm_hub(hub)
    return figures


def main() -> None:
    client = docker.from_env(timeout=300)
    line, hub_ref, image_ref = voila_hub_images()
    hub_name, image = (reference.split("/")[-1].split(":")[0] for reference in (hub_ref, image_ref))
    results = {}
    compose = start_hub(client, "containds-bench-compose", line, hub_ref, image_ref)
    try:
        results["compose (containers)"] = measure(compose)
    finally:
        stop_hub(compose)
    with swarm_mode(client), tempfile.TemporaryDirectory() as work, running_registry(Path(work)) as registry:
        references = push_to(client, registry, hub_name, image)
        swarm = deploy_swarm_hub(client, "containds-bench-swarm", line, references[hub_name],
                                 references[image])
        try:
            results["swarm (services)"] = measure(swarm)
        finally:
            remove_swarm_hub(swarm)
        nodes = measure_nodes(client, line, registry, references[hub_name], references[image], Path(work))
    rows = [
        *header("A dashboard's spawn on Docker Swarm and on compose", "python bench/swarm.py"),
        f"Images: {hub_ref} and {image_ref} (on Swarm the same images, from a registry on 127.0.0.1).",
        "",
        "| deployment | owner: save to content (median of 5) | dashboard server: start to ready (median of 5) |",
        "|---|---|---|",
        *(f"| {name} | {content:.1f} s | {spawn:.1f} s |" for name, (content, spawn) in results.items()),
        "",
        "Save to content includes the form, the server's start and voila running the notebook; start to ready is",
        "JupyterHub's own spawn (POST to the server answering). On Swarm the hub polls the service's task, which",
        "the swarm schedules, and the server is reached through the overlay network.",
        "",
        "## A second node",
        "",
        "A worker joined to the swarm (an engine in a container of this machine, tests/hub/nodes.py), pulling from the "
        "same registry; notebook servers on the manager, one voila dashboard's server started on each node in turn "
        f"(median of {STARTS} starts, JupyterHub's spawn: the request to the server answering).",
        "",
        "| image pull to the worker | dashboard server on the worker | dashboard server on the manager |",
        "|---|---|---|",
        f"| {nodes['pull']:.1f} s ({image_ref.split('/')[-1]}) | {nodes['worker']:.1f} s | {nodes['manager']:.1f} s |",
    ]
    publish(RESULTS, rows)


if __name__ == "__main__":
    main()
