"""Helpers for the benchmarks: run the build tool, time it, clear caches, write results."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The hub's package, which the tests' helpers import (pytest puts it on the path from pyproject.toml).
sys.path.insert(0, str(PROJECT_DIR / "hub" / "package"))


def buildtool(*args: str) -> tuple[float, list[dict[str, Any]]]:
    """Run `python -m buildtool ARGS --json`; returns wall time and the JSON it printed."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "buildtool", *args, "--json"], cwd=PROJECT_DIR,
                            capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"buildtool {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed, json.loads(result.stdout)


def targets(kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The local graph's targets of these kinds, in build order, as `list --json` gives them."""
    _, rows = buildtool("--stacks", "local", "list")
    return [row for row in rows if row["kind"] in kinds]


def cold_start(references: list[str]) -> None:
    """Forget these images and every BuildKit cache (layers and cache mounts): the next build of them is cold."""
    subprocess.run(["docker", "rmi", "--force", *references], capture_output=True)
    subprocess.run(["docker", "builder", "prune", "--all", "--force"], check=True, capture_output=True)


def measure(names: list[str], forget: list[str]) -> dict[str, Any]:
    """Cold build, warm forced rebuild and no-op build of `names`, after forgetting the images `forget`."""
    cold_start(forget)
    cold_time, cold = buildtool("--stacks", "local", "build", *names)
    warm_time, warm = buildtool("--stacks", "local", "build", "--force", *names)
    noop_time, _ = buildtool("--stacks", "local", "build", *names)
    return {"cold_time": cold_time, "cold": cold, "warm_time": warm_time, "warm": warm, "noop_time": noop_time}


def write_results(path: Path, lines: list[str], run: dict[str, Any], total_prefix: str, notes: list[str]) -> None:
    """Finish a results table with its totals row and the no-op time, add the notes, write and print it."""
    lines = [
        *lines,
        f"| **total (wall)** |{total_prefix} **{run['cold_time']:.1f} s** | **{run['warm_time']:.1f} s** |",
        "",
        f"No-op `build` of the same targets (every fingerprint unchanged): {run['noop_time']:.1f} s.",
        "",
        *notes,
    ]
    path.write_text("\n".join(lines) + "\n")
    print(path.read_text())


def header(title: str, command: str) -> list[str]:
    return [f"# {title}", "", f"Measured {dt.date.today()} on {machine()} by `{command}`.", ""]


def machine() -> str:
    docker = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True,
                            text=True).stdout.strip()
    return f"{platform.system()} {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Docker engine {docker}"


def mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:,.0f} MB"


def built(line: str, names: list[str]) -> list[str]:
    """Build these targets of a JupyterHub line (reusing what is up to date); returns their references."""
    from buildtool.graph import build_graph
    from buildtool.matrix import load_matrix
    from buildtool.tags import primary_ref

    subprocess.run([sys.executable, "-m", "buildtool", "--line", line, "build", *names], cwd=PROJECT_DIR, check=True,
                   capture_output=True)
    graph = build_graph(load_matrix(PROJECT_DIR / "matrix.yaml", line), "local")
    return [primary_ref(graph.matrix, graph.targets[name]) for name in names]


def voila_hub_images() -> tuple[str, str, str]:
    """The default line, its hub image and the first singleuser image with voila, built: (line, hub, image)."""
    from buildtool.graph import build_graph
    from buildtool.matrix import load_matrix

    matrix = load_matrix(PROJECT_DIR / "matrix.yaml")
    graph = build_graph(matrix, "local")
    image = next(t.name for t in graph.targets.values() if t.kind == "image" and "voila" in graph.frameworks(t.name))
    hub_ref, image_ref = built(matrix.line, [matrix.hub.name, image])
    return matrix.line, hub_ref, image_ref


def publish(path: Path, rows: list[str]) -> None:
    """Write a results file and print it."""
    path.write_text("\n".join(rows) + "\n")
    print(path.read_text())


def memory_of(containers: list[Any]) -> int:
    """These containers' memory in bytes, as `docker stats` counts it (usage less the page cache)."""
    import docker.errors

    used = 0
    for container in containers:
        try:
            stats = container.stats(stream=False).get("memory_stats", {})
        except (docker.errors.NotFound, ValueError):  # removed since it was listed (its stats come back empty)
            continue
        used += stats.get("usage", 0) - stats.get("stats", {}).get("inactive_file", 0)
    return used


def deployment_containers(client: Any, project: str, prefix: str) -> tuple[list[Any], list[Any]]:
    """(the hub's containers, the servers' containers) of one test deployment: compose names its containers
    `<project>-<service>-1`, a stack `<project>_<service>.<slot>.<task>`; servers are named from the prefix."""
    hub, servers = [], []
    for container in client.containers.list():
        name = container.name
        if name.startswith((f"{project}-hub", f"{project}_hub.", f"{project}-egress")):
            hub.append(container)
        elif name.startswith(prefix + "-"):
            servers.append(container)
    return hub, servers
