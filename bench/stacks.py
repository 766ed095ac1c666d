"""Benchmark: cold and warm builds of the local Jupyter Docker Stacks chain, and each stack image's size.

    python bench/stacks.py      (destroys the BuildKit cache and the stack images first: it measures cold)

Cold: no image, no BuildKit cache (bootstrap included). Warm: `build --force` right after, every layer in
BuildKit's cache. No-op: `build`, the fingerprints unchanged. Results: bench/results-stacks.md.
"""

from __future__ import annotations

from pathlib import Path

from common import header, mb, measure, targets, write_results

RESULTS = Path(__file__).with_name("results-stacks.md")


def main() -> None:
    chain = targets(("root", "stack"))
    run = measure([t["name"] for t in chain if t["kind"] == "stack"], [t["reference"] for t in chain])
    warm = {r["target"]: r for r in run["warm"]}
    lines = [
        *header("Local stack chain: build times and sizes", "python bench/stacks.py"),
        "| target | cold build | warm build (`--force`) | image size |",
        "|---|---|---|---|",
    ]
    for row in run["cold"]:
        lines.append(f"| {row['target']} | {row['seconds']:.1f} s | {warm[row['target']]['seconds']:.1f} s "
                     f"| {mb(row['size'])} |")
    write_results(RESULTS, lines, run, "", [
        "Cold: no images and an empty BuildKit cache (`docker builder prune --all`), bootstrap included.",
        "Warm: every layer and cache mount in BuildKit's cache, images rebuilt with `--force`.",
        "Sizes are each image's total size; layers are shared along the chain, so the disk the chain uses",
        "is far less than the sum (datascience-notebook contains scipy-notebook, which contains base-notebook).",
    ])


if __name__ == "__main__":
    main()
