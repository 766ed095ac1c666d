"""Helpers for the benchmarks: run the build tool, time it, clear caches, write results."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent


def buildtool(*args: str) -> tuple[float, list[dict[str, Any]]]:
    """Run `python -m buildtool ARGS --json`; returns wall time and the per-target results."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "buildtool", *args, "--json"], cwd=PROJECT_DIR,
                            capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"buildtool {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed, json.loads(result.stdout)


def cold_start(references: list[str]) -> None:
    """Forget the images and every BuildKit cache (layers and cache mounts) so the next build is cold."""
    subprocess.run(["docker", "rmi", "--force", *references], capture_output=True)
    subprocess.run(["docker", "builder", "prune", "--all", "--force"], check=True, capture_output=True)


def machine() -> str:
    cores = len(__import__("os").sched_getaffinity(0))
    docker = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True,
                            text=True).stdout.strip()
    return f"{platform.system()} {platform.machine()}, {cores} cores, Docker engine {docker}"


def mb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:,.0f} MB"
