"""Benchmark: from creating a dashboard to its first content, for its owner and for a viewer, on each JupyterHub line.

    python bench/lines.py      (builds what it needs; starts one hub per line from hub/docker-compose.yml)

For each line of matrix.yaml, a hub with the line's hub image and its first singleuser image with voila: the owner
saves five voila dashboards (shared with all users) through cdsdashboards' form and opens each until the notebook's
output shows (the first view starts the dashboard's server); then a viewer opens each (JupyterHub's Authorize page
passed as a person would). Medians of the five. Results: bench/results-lines.md.
"""

from __future__ import annotations

import statistics
import sys
import time

import docker
from common import PROJECT_DIR, built, header

from buildtool.graph import build_graph
from buildtool.matrix import load_matrix

sys.path.insert(0, str(PROJECT_DIR))  # the tests' deployment helpers
from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.hubclient import HubUser
from tests.hub.viewing import app_file, wait_until_shown

RESULTS = PROJECT_DIR / "bench" / "results-lines.md"
DASHBOARDS = 5


def main() -> None:
    client = docker.from_env(timeout=300)
    rows = [
        *header("Dashboard created to first content, per JupyterHub line", "python bench/lines.py"),
        "| JupyterHub line | hub image | owner: save to content (median of 5) | viewer: first open (median of 5) |",
        "|---|---|---|---|",
    ]
    for line in load_matrix(PROJECT_DIR / "matrix.yaml").lines:
        graph = build_graph(load_matrix(PROJECT_DIR / "matrix.yaml", line), "local")
        image = next(t.name for t in graph.targets.values()
                     if t.kind == "image" and "voila" in graph.frameworks(t.name))
        refs = built(line, [graph.matrix.hub.name, image])
        hub = start_hub(client, f"containds-bench-{line.replace('.', '')}", line, refs[0], refs[1])
        try:
            owner, viewer = voila_owner(hub), hub.user("bob")
            viewer.login()
            owner_seconds, viewer_seconds = [], []
            for i in range(DASHBOARDS):
                urlname, seconds = save_until_shown(owner, f"Bench {i}")
                owner_seconds.append(seconds)
                viewer_seconds.append(wait_until_shown(viewer, f"/hub/dashboards/{urlname}", "voila"))
        finally:
            stop_hub(hub)
        rows.append(f"| {line} | {refs[0]} | {statistics.median(owner_seconds):.1f} s "
                    f"| {statistics.median(viewer_seconds):.1f} s |")
    rows += ["", "The owner's time includes saving the form and the dashboard server's start (a new container); the",
             "viewer's, the OAuth round trip through the hub and the voila page (the notebook executed again)."]
    RESULTS.write_text("\n".join(rows) + "\n")
    print(RESULTS.read_text())


def voila_owner(hub: Hub) -> HubUser:
    """alice, logged in, her notebook server running, the voila fixture notebook in her home."""
    owner = hub.working_user("alice")
    owner.write_file("voila-app.ipynb", app_file("voila").read_text())
    return owner


def save_until_shown(owner: HubUser, name: str) -> tuple[str, float]:
    """Save a voila dashboard for all users and open it until its output shows: its urlname and the seconds
    from the save."""
    started = time.monotonic()
    urlname = owner.save_dashboard(name, "voila", "voila-app.ipynb", None)
    wait_until_shown(owner, f"/hub/dashboards/{urlname}", "voila")
    return urlname, time.monotonic() - started


if __name__ == "__main__":
    main()
