"""Benchmark: each singleuser image's cold and warm build time, its size, and the size each layer adds.

    python bench/images.py      (forgets the singleuser images and the BuildKit cache first; the stacks
                                 stay as images, so this measures the framework layers cold)

Results: bench/results-images.md.
"""

from __future__ import annotations

from pathlib import Path

from common import header, mb, measure, targets, write_results

RESULTS = Path(__file__).with_name("results-images.md")


def main() -> None:
    everything = targets(("root", "stack", "image"))
    images = [t for t in everything if t["kind"] == "image"]
    run = measure([t["name"] for t in images], [t["reference"] for t in images])
    size = {r["target"]: r["size"] for r in run["cold"]}
    warm = {r["target"]: r for r in run["warm"]}
    parent = {t["name"]: t["parent"] for t in everything}
    lines = [
        *header("Singleuser images: build times, sizes, size of each framework layer", "python bench/images.py"),
        "| image | built on | adds | cold build | warm build (`--force`) | size | layer adds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in run["cold"]:
        name = row["target"]
        if name not in {t["name"] for t in images}:
            continue
        own = next(t for t in images if t["name"] == name)
        inherited = next((t for t in images if t["name"] == parent[name]), None)
        adds = [fw for fw in own["frameworks"] if not inherited or fw not in inherited["frameworks"]]
        base = size.get(parent[name])
        layer = row["size"] - base if row["size"] and base else None
        lines.append(f"| {name} | {parent[name]} | {', '.join(adds)} | {row['seconds']:.1f} s "
                     f"| {warm[name]['seconds']:.1f} s | {mb(row['size'])} | {mb(layer)} |")
    write_results(RESULTS, lines, run, " | |", [
        "Cold: the singleuser images removed and BuildKit's cache emptied (downloads included); the stack",
        "images they are built on already exist. Warm: everything in BuildKit's cache, rebuilt with `--force`.",
        "`layer adds` is the image's size minus its parent's: what the framework layer costs on disk.",
    ])


if __name__ == "__main__":
    main()
