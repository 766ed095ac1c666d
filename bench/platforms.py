"""Emulated against native, side by side in one run: the chain of the smallest voila image (the Debian root from
Debian's packages, foundation, base-notebook, the image) built cold for this machine's platform, then for the
matrix's other platform under emulation (qemu). Results: bench/results-platforms.md.

    python bench/platforms.py        about 25 minutes on 2 cores; forgets those images and empties BuildKit's cache

The whole matrix under emulation is estimated from the chain's ratio and the native cold `build all` of
bench/results-speed.md: building it that way is what native runners (the generated workflow) avoid.
"""

from __future__ import annotations

import re
from pathlib import Path

from common import PROJECT_DIR, buildtool, cold_start, header, machine

RESULTS = Path(__file__).with_name("results-platforms.md")


def chain() -> tuple[str, list[str], str, str]:
    """The smallest voila image, its chain (root first), this machine's platform and the other one."""
    from buildtool import platforms
    from buildtool.graph import build_graph
    from buildtool.matrix import load_matrix

    matrix = load_matrix(PROJECT_DIR / "matrix.yaml")
    graph = build_graph(matrix, "local")
    image = next(t.name for t in graph.targets.values() if t.kind == "image" and "voila" in graph.frameworks(t.name))
    foreign = next(p for p in matrix.platforms if p != platforms.native())
    return image, [t.name for t in reversed(graph.chain(image))], platforms.native(), foreign


def references(platform: str, names: list[str]) -> list[str]:
    from buildtool.graph import build_graph
    from buildtool.matrix import load_matrix
    from buildtool.tags import primary_ref

    graph = build_graph(load_matrix(PROJECT_DIR / "matrix.yaml", platform=platform), "local")
    return [primary_ref(graph.matrix, graph.targets[name]) for name in names]


def cold_build(platform: str, image: str, names: list[str]) -> tuple[float, dict[str, float]]:
    cold_start(references(platform, names))
    wall, rows = buildtool("--stacks", "local", "--platform", platform, "build", image)
    return wall, {row["target"]: row["seconds"] for row in rows}


def native_matrix_seconds() -> float | None:
    """The native cold `build all` of bench/results-speed.md (its row (c)), if it is there."""
    text = Path(__file__).with_name("results-speed.md").read_text()
    found = re.search(r"\(c\) whole matrix, cold[^|]*\| ([0-9.]+) s", text)
    return float(found.group(1)) if found else None


def main() -> None:
    image, names, native, foreign = chain()
    native_wall, native_times = cold_build(native, image, names)
    foreign_wall, foreign_times = cold_build(foreign, image, names)
    ratio = foreign_wall / native_wall
    lines = [
        *header("Another platform under emulation against this machine's own", "python bench/platforms.py"),
        f"The chain of {image}, each built cold (no image, BuildKit's cache emptied), one platform after the "
        f"other; {foreign} runs under qemu-user-static ({machine()}).",
        "",
        f"| target | {native} (native) | {foreign} (emulated) | ratio |",
        "|---|---|---|---|",
        *(f"| {name} | {native_times[name]:.1f} s | {foreign_times[name]:.1f} s | "
          f"{foreign_times[name] / native_times[name]:.1f}x |" for name in names),
        f"| **chain (wall)** | **{native_wall:.1f} s** | **{foreign_wall:.1f} s** | **{ratio:.1f}x** |",
        "",
    ]
    whole = native_matrix_seconds()
    if whole is not None:
        lines += [f"Estimate for the whole matrix under emulation: the native cold `build all` of "
                  f"bench/results-speed.md ({whole:.0f} s) times the chain's ratio: about {whole * ratio / 60:.0f} "
                  "minutes, before its tests. The root's debootstrap and pip's installs weigh most here; the "
                  "scientific stacks' compiled packages and TeX would weigh more. Publishers build each platform "
                  "on a runner of its own (the generated workflow: native arm64 runners, then `merge`).", ""]
    RESULTS.write_text("\n".join(lines))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
