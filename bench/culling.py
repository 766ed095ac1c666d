"""Benchmark: what culling gives back, and what a viewer waits for a culled dashboard, in one run.

    python bench/culling.py      (builds what it needs)

A hub from hub/docker-compose.yml with a short idle timeout (60 s, a check every 5 s). USERS users each start a
notebook server and publish a voila dashboard shared with all users, opened once; then nobody uses anything. The
memory of every server's container (Docker's own count, as `docker stats` shows it) is read before and after the
culler stops them. Then a viewer opens a culled dashboard's link and waits for the notebook's output, ROUNDS times
(the dashboard culled again in between): median and runs. Results: bench/results-culling.md.
"""

from __future__ import annotations

import statistics
import sys
import time

import docker
from common import PROJECT_DIR, deployment_containers, header, memory_of, voila_hub_images
from common import publish as publish_results

sys.path.insert(0, str(PROJECT_DIR))  # the tests' helpers

from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.viewing import publish, shows
from tests.waiting import wait_until

RESULTS = PROJECT_DIR / "bench" / "results-culling.md"
USERS, ROUNDS, TIMEOUT = 5, 3, 60


def memory(client: docker.DockerClient, hub: Hub) -> tuple[int, int]:
    """(number of the hub's servers, their containers' memory in bytes)."""
    _hub, servers = deployment_containers(client, hub.project, hub.environment["CDS_CONTAINER_PREFIX"])
    return len(servers), memory_of(servers)


def main() -> None:
    client = docker.from_env(timeout=300)
    line, hub_ref, image_ref = voila_hub_images()
    hub = start_hub(client, "containds-bench-cull", line, hub_ref, image_ref, CDS_CULL_TIMEOUT=str(TIMEOUT),
                    CDS_CULL_DASHBOARD_TIMEOUT=str(TIMEOUT), CDS_CULL_EVERY="5")
    try:
        urlnames = []
        for i in range(USERS):
            owner = hub.working_user(f"user{i}")
            urlname = publish(owner, "voila", f"Culled {i}", None)
            wait_until(lambda urlname=urlname, owner=owner: shows(owner, f"/hub/dashboards/{urlname}", "voila"),
                       240, interval=2)
            urlnames.append(urlname)
        time.sleep(10)  # the servers settle
        before = memory(client, hub)
        wait_until(lambda: memory(client, hub)[0] == 0, 4 * TIMEOUT, interval=5, message="not all culled")
        after = memory(client, hub)
        viewer = hub.logged_in("viewer")
        clicks = []
        for _ in range(ROUNDS):
            started = time.monotonic()
            wait_until(lambda: shows(viewer, f"/hub/dashboards/{urlnames[0]}", "voila"), 240, interval=1)
            clicks.append(time.monotonic() - started)
            wait_until(lambda: memory(client, hub)[0] == 0, 4 * TIMEOUT, interval=5, message="not culled again")
    finally:
        stop_hub(hub)
    lines = [
        *header("Culling: memory given back, and a viewer's wait", "python bench/culling.py"),
        f"{USERS} users, each with a notebook server and a voila dashboard ({image_ref}), idle; "
        f"idle timeout {TIMEOUT} s.",
        "",
        "| | servers | memory (containers, without page cache) |",
        "|---|---|---|",
        f"| before culling | {before[0]} | {before[1] / 2**20:,.0f} MiB |",
        f"| after culling | {after[0]} | {after[1] / 2**20:,.0f} MiB |",
        "",
        f"A viewer's open of a culled dashboard's link until the notebook's output shows (its server started again "
        f"by that open): median {statistics.median(clicks):.1f} s of {ROUNDS} "
        f"({', '.join(f'{c:.1f}' for c in clicks)} s).",
    ]
    publish_results(RESULTS, lines)


if __name__ == "__main__":
    main()
