"""Benchmark: cold and warm builds of the local Jupyter Docker Stacks chain, and each stack image's size.

    python bench/stacks.py      (destroys the BuildKit cache and the stack images first: it measures cold)

Cold: no image, no BuildKit cache (bootstrap included). Warm: `build --force` right after, every layer in
BuildKit's cache. No-op: `build`, the fingerprints unchanged. Results: bench/results-stacks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from common import PROJECT_DIR, buildtool, cold_start, machine, mb

RESULTS = Path(__file__).with_name("results-stacks.md")


def stack_targets() -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "buildtool", "--stacks", "local", "list", "--json"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    return [t for t in json.loads(result.stdout) if t["kind"] in ("root", "stack")]


def main() -> None:
    targets = stack_targets()
    names = [t["name"] for t in targets if t["kind"] == "stack"]
    cold_start([t["reference"] for t in targets])
    cold_time, cold = buildtool("--stacks", "local", "build", *names)
    warm_time, warm = buildtool("--stacks", "local", "build", "--force", *names)
    noop_time, _ = buildtool("--stacks", "local", "build", *names)
    warm_by_name = {r["target"]: r for r in warm}
    lines = [
        "# Local stack chain: build times and sizes",
        "",
        f"Measured {dt.date.today()} on {machine()} by `python bench/stacks.py`.",
        "",
        "| target | cold build | warm build (`--force`) | image size |",
        "|---|---|---|---|",
    ]
    for row in cold:
        warm_row = warm_by_name.get(row["target"], {})
        lines.append(f"| {row['target']} | {row['seconds']:.1f} s | {warm_row.get('seconds', 0):.1f} s "
                     f"| {mb(row['size'])} |")
    lines += [
        f"| **total (wall)** | **{cold_time:.1f} s** | **{warm_time:.1f} s** | |",
        "",
        f"No-op `build` of the same targets (every fingerprint unchanged): {noop_time:.1f} s.",
        "",
        "Cold: no images and an empty BuildKit cache (`docker builder prune --all`), bootstrap included.",
        "Warm: every layer and cache mount in BuildKit's cache, images rebuilt with `--force`.",
        "Sizes are each image's total size; layers are shared along the chain, so the disk used by the",
        "whole chain is the largest image's size plus the R layers of r-notebook, not the sum.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
