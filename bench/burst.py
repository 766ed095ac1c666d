"""Benchmark: a burst of users, as a class starting together, on the compose hub and on the Swarm stack.

    python bench/burst.py [--users N] [--on compose|swarm|both]      (builds what it needs)

On each deployment (the default JupyterHub line, the first singleuser image with voila): an owner publishes a
voila dashboard shared with all users and opens it once (its server runs). One user alone is measured first;
then N users at once (a barrier) each log in, start their notebook server through the API, wait until the hub
says it is ready, and open the dashboard until the notebook's output shows. Every request the users make is
recorded (status, the time to its response's headers); the hub API's p50 / p95 are over the /hub/api/ ones made
during the burst. Memory is Docker's own count of the hub's and every server's container once all are ready.
Traffic goes to 127.0.0.1 only, every wait has a deadline, and the deployment is removed at the end.
Results: bench/results-burst.md, this run's table, then every run's rows (kept from the file, this run's added, with
the commit and `--change`, what the run is meant to show): the before / after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import docker
import requests
from common import PROJECT_DIR, built, deployment_containers, header, memory_of, publish

sys.path.insert(0, str(PROJECT_DIR))  # the tests' helpers

from buildtool.matrix import load_matrix
from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.viewing import app_file, shows, wait_until_shown
from tests.waiting import wait_until

RESULTS = PROJECT_DIR / "bench" / "results-burst.md"
SPAWN = re.compile(r"/hub/api/users/[^/]+/server")  # POST: start the default server
DEADLINE = 300  # seconds a user may take to be ready before the run counts them as failed
HISTORY = "## Before and after: every run"
HISTORY_COLUMNS = ("date", "commit", "change", "deployment", "alone", "all ready", "server ready", "content",
                   "API p50 / p95", "5xx")


@dataclass
class Requests:
    """Every request made during a run: (path, status, seconds to the response's headers), thread-safe."""

    seen: list[tuple[str, int, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, response: requests.Response, *_args: object, **_kwargs: object) -> None:
        with self.lock:
            self.seen.append((requests.utils.urlparse(response.url).path, response.status_code,
                              response.elapsed.total_seconds()))

    def api_latencies(self) -> list[float]:
        """The /hub/api/ requests but the spawn requests, which JupyterHub holds for up to its
        slow_spawn_timeout (10 s) by design before answering 202."""
        return sorted(seconds for path, _status, seconds in self.seen
                      if path.startswith("/hub/api/") and not SPAWN.fullmatch(path))

    def slowest_api(self, count: int = 3) -> str:
        """The slowest API requests of the run (but the spawn requests), to see where a high p95 comes from."""
        calls = sorted(((seconds, path) for path, _status, seconds in self.seen
                        if path.startswith("/hub/api/") and not SPAWN.fullmatch(path)), reverse=True)
        return ", ".join(f"{seconds * 1000:.0f} ms {path.removeprefix('/hub/api/')}" for seconds, path in calls[:count])

    def spawn_latencies(self) -> list[float]:
        return sorted(seconds for path, _status, seconds in self.seen if SPAWN.fullmatch(path))

    def errors(self) -> list[str]:
        return [f"{status} {path}" for path, status, _seconds in self.seen if status >= 500]


@dataclass(frozen=True)
class Ready:
    server: float  # seconds from the burst's start until the hub said the user's server was ready
    content: float  # ... until the dashboard's output showed


def ready_user(hub: Hub, name: str, dashboard: str, recorded: Requests, start: Callable[[], None]) -> Ready:
    """One user of the burst: log in, start the notebook server, open the dashboard; times from `start`."""
    user = hub.user(name)
    user.session.hooks["response"].append(recorded.hook)
    start()
    began = time.monotonic()
    user.login()
    user.start_server(timeout=DEADLINE)
    server = time.monotonic() - began
    wait_until(lambda: shows(user, dashboard, "voila"), DEADLINE - server, interval=0.5,
               message=f"{name} never saw the dashboard")
    return Ready(server=server, content=time.monotonic() - began)


def burst(hub: Hub, names: list[str], dashboard: str) -> tuple[float, list[Ready | str], Requests]:
    """All `names` at once: (seconds until the last is ready, each one's Ready or failure, the requests)."""
    recorded = Requests()
    barrier = threading.Barrier(len(names) + 1)
    results: dict[str, Ready | str] = {}

    def run(name: str) -> None:
        try:
            results[name] = ready_user(hub, name, dashboard, recorded, lambda: barrier.wait(timeout=60))
        except Exception as error:  # one failed user is a result, not the end of the run
            results[name] = f"{name}: {error}"

    threads = [threading.Thread(target=run, args=(name,), daemon=True) for name in names]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    began = time.monotonic()
    for thread in threads:
        thread.join(DEADLINE + 60)
    return time.monotonic() - began, [results.get(name, f"{name}: still running") for name in names], recorded


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f} s" if values else "-"


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else float("nan")


def measure(hub: Hub, users: int) -> dict[str, str]:
    """One deployment's row: the single user, then the burst."""
    owner = hub.working_user("teacher")
    owner.write_file("voila-app.ipynb", app_file("voila").read_text())
    urlname = owner.save_dashboard("Class dashboard", "voila", "voila-app.ipynb", None)
    dashboard = f"/hub/dashboards/{urlname}"
    wait_until_shown(owner, dashboard, "voila")

    _total, (alone,), _requests = burst(hub, ["alone"], dashboard)
    if isinstance(alone, str):
        raise SystemExit(f"a single user did not get ready: {alone}")
    total, results, recorded = burst(hub, [f"student{i}" for i in range(users)], dashboard)
    ready = [r for r in results if isinstance(r, Ready)]
    failed = [r for r in results if isinstance(r, str)]
    hub_containers, servers = deployment_containers(hub.client, hub.project, hub.environment["CDS_CONTAINER_PREFIX"])
    latencies, spawns = recorded.api_latencies(), recorded.spawn_latencies()
    errors = recorded.errors()
    return {
        "alone": f"server {alone.server:.1f} s, dashboard {alone.content - alone.server:.1f} s later",
        "all ready": f"**{total:.1f} s**" + (f" ({len(failed)} failed)" if failed else ""),
        "server ready": spread([r.server for r in ready]),
        "content": spread([r.content for r in ready]),
        "API p50 / p95": f"{percentile(latencies, 0.5) * 1000:.0f} / {percentile(latencies, 0.95) * 1000:.0f} ms "
                         f"({len(latencies)} calls)",
        "slowest API calls": recorded.slowest_api(),
        "spawn request": spread(spawns),
        "memory": f"hub {memory_of(hub_containers) / 2**20:,.0f} MiB, all {len(servers) + len(hub_containers)} "
                  f"containers {memory_of(hub_containers + servers) / 2**30:,.2f} GiB",
        "5xx": ", ".join(sorted(set(errors))) or "none",
        "failures": "; ".join(failed) or "none",
    }


@contextmanager
def compose_hub(client: docker.DockerClient, line: str, hub_ref: str, image_ref: str) -> Iterator[Hub]:
    hub = start_hub(client, "containds-bench-burst", line, hub_ref, image_ref)
    try:
        yield hub
    finally:
        stop_hub(hub)


@contextmanager
def swarm_hub(client: docker.DockerClient, line: str, hub_ref: str, image_ref: str) -> Iterator[Hub]:
    from tests.hub.swarm import deploy_swarm_hub, push_to, remove_swarm_hub, swarm_mode
    from tests.registry import running_registry

    hub_name, image = (reference.split("/")[-1].split(":")[0] for reference in (hub_ref, image_ref))
    with swarm_mode(client), tempfile.TemporaryDirectory() as work, running_registry(Path(work)) as registry:
        references = push_to(client, registry, hub_name, image)
        hub = deploy_swarm_hub(client, "containds-bench-burst-swarm", line, references[hub_name],
                               references[image])
        try:
            yield hub
        finally:
            remove_swarm_hub(hub)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--on", choices=("compose", "swarm", "both"), default="both")
    parser.add_argument("--image", help="the singleuser image (default: the one the hub spawns, matrix.yaml)")
    parser.add_argument("--change", default="", help="what this run measures, for the before / after table")
    arguments = parser.parse_args()
    client = docker.from_env(timeout=300)
    matrix = load_matrix(PROJECT_DIR / "matrix.yaml")
    line = matrix.line
    hub_ref, image_ref = built(line, [matrix.hub.name, arguments.image or matrix.hub.singleuser_image])
    deployments = {"compose": compose_hub, "swarm": swarm_hub}
    rows: dict[str, dict[str, str]] = {}
    for name, deploy in deployments.items():
        if arguments.on in (name, "both"):
            with deploy(client, line, hub_ref, image_ref) as hub:
                rows[name] = measure(hub, arguments.users)
    columns = list(next(iter(rows.values())))
    lines = [
        *header(f"A burst of {arguments.users} users", " ".join(["python bench/burst.py", *sys.argv[1:]])),
        f"JupyterHub {line}; images {hub_ref} and {image_ref}. Server ready and content: min / median / max from "
        "the burst's start (each user logs in, starts a notebook server, opens a voila dashboard shared with all "
        "users whose server already runs). API: every /hub/api/ request the users made, to its headers, but the "
        "spawn requests (POST .../server), which JupyterHub holds up to 10 s by design: their own column.",
        "",
        "| deployment | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
        *(f"| {name} | " + " | ".join(row[c] for c in columns) + " |" for name, row in rows.items()),
        "",
        HISTORY,
        "",
        "The rows of every run of this script, oldest first (the first ones as the issue and earlier notes measured "
        "them); all ready, server ready and content in seconds from the burst's start, min / median / max.",
        "",
        "| " + " | ".join(HISTORY_COLUMNS) + " |",
        "|---|" + "---|" * (len(HISTORY_COLUMNS) - 1),
        *earlier_runs(),
        *(history_row(arguments.change, image_ref, name, row) for name, row in rows.items()),
    ]
    publish(RESULTS, lines)


def earlier_runs() -> list[str]:
    """The history table's rows from the results file as it is."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if HISTORY not in text:
        return []
    rows = [line for line in text.split(HISTORY, 1)[1].splitlines() if line.startswith("| ")]
    return rows[1:]  # without the header


def history_row(change: str, image: str, deployment: str, row: dict[str, str]) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                            text=True).stdout.strip()
    values = [str(dt.date.today()), commit, change or "-", f"{deployment}, {image.split('/')[-1]}", row["alone"],
              row["all ready"], row["server ready"], row["content"], row["API p50 / p95"], row["5xx"]]
    return "| " + " | ".join(values) + " |"


if __name__ == "__main__":
    main()
