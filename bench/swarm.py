"""Benchmark: a dashboard's spawn on Docker Swarm against compose, same images, same machine, one run.

    python bench/swarm.py      (builds what it needs; makes a single-node swarm if the engine is in none)

One hub from hub/docker-compose.yml and one from hub/docker-stack.yml (its images pushed to a throw-away registry
with `python -m buildtool push`), one after the other, with the same hub and singleuser images. On each, the
owner saves five voila dashboards shared with all users and opens each until the notebook's output shows (save
to content: the form, the server's start, voila), then stops and starts each dashboard's server through the API
(spawn: the request to the server answering, as JupyterHub measures it). Medians of five. Results:
bench/results-swarm.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import docker
from common import PROJECT_DIR, header

from buildtool.graph import build_graph
from buildtool.matrix import load_matrix

sys.path.insert(0, str(PROJECT_DIR))  # the tests' deployment helpers
from lines import _build, save_until_shown, voila_owner

from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.swarm import deploy_swarm_hub, push_to, remove_swarm_hub, swarm_mode
from tests.registry import running_registry

RESULTS = PROJECT_DIR / "bench" / "results-swarm.md"
DASHBOARDS = 5


def measure(hub: Hub) -> tuple[float, float]:
    """Medians of save-to-content and of a dashboard server's spawn, in seconds."""
    owner = voila_owner(hub)
    to_content, spawns = [], []
    for i in range(DASHBOARDS):
        urlname, seconds = save_until_shown(owner, f"Bench {i}")
        to_content.append(seconds)
        server = f"dash-{urlname}"
        options = owner.server_model(server).get("user_options") or {}
        owner.stop_server(server)
        spawns.append(owner.start_server(server, options))
    return statistics.median(to_content), statistics.median(spawns)


def main() -> None:
    client = docker.from_env(timeout=300)
    matrix = load_matrix(PROJECT_DIR / "matrix.yaml")
    graph = build_graph(matrix, "local")
    image = next(t.name for t in graph.targets.values() if t.kind == "image" and "voila" in graph.frameworks(t.name))
    hub_ref, image_ref = _build(matrix.line, [matrix.hub.name, image])
    results = {}
    compose = start_hub(client, "containds-bench-compose", matrix.line, hub_ref, image_ref)
    try:
        results["compose (containers)"] = measure(compose)
    finally:
        stop_hub(compose)
    with swarm_mode(client), tempfile.TemporaryDirectory() as work, running_registry(Path(work)) as registry:
        references = push_to(client, registry, matrix.hub.name, image)
        swarm = deploy_swarm_hub(client, "containds-bench-swarm", matrix.line, references[matrix.hub.name],
                                 references[image])
        try:
            results["swarm (services)"] = measure(swarm)
        finally:
            remove_swarm_hub(swarm)
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
    ]
    RESULTS.write_text("\n".join(rows) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
