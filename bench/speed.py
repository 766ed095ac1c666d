"""Benchmark of what `build` saves, side by side in one run on one machine. Results: bench/results-speed.md.

    python bench/speed.py            (a) and (b): a few minutes
    python bench/speed.py --matrix   also (c): cold and warm build + test of the whole matrix (about 30 min)

(a) a no-op `build all` (every fingerprint unchanged) against plain `docker build` of every rendered target with
    BuildKit's cache warm: what incremental skips save. Goal: 0.2x or less.
(b) a cold build of an independent subtree (the singleuser images, on existing stacks) with -j2 against -j1:
    what parallel builds save. Goal: 0.75x or less.
(c) build and test time of the whole matrix, cold (no images, empty BuildKit cache) and warm.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from common import PROJECT_DIR, buildtool, cold_start, header, targets

RESULTS = Path(__file__).with_name("results-speed.md")


def plain_docker_build(names: list[str]) -> float:
    """`docker build` of each rendered context, as a person without this tool would run it."""
    cli = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
    started = time.monotonic()
    for name in names:
        context = PROJECT_DIR / "build" / "contexts" / name
        command = [cli, "build", "--quiet", "--secret", "id=cacert,src=/etc/ssl/certs/ca-certificates.crt",
                   "-t", f"bench/{name}:plain", str(context)]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    return time.monotonic() - started


def timed(*command: str) -> float:
    started = time.monotonic()
    subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True)
    return time.monotonic() - started


def noop_versus_plain() -> list[str]:
    buildtool("--stacks", "local", "build", "all")  # everything up to date and BuildKit's cache warm
    noop, _ = buildtool("--stacks", "local", "build", "all")
    built = [t["name"] for t in targets(("stack", "image", "hub"))]
    plain_docker_build(built)  # fills BuildKit's cache for these exact contexts: the timed run below is warm
    plain = plain_docker_build(built)
    subprocess.run(["docker", "rmi", *[f"bench/{n}:plain" for n in built]], capture_output=True)
    return [
        f"| (a) no-op `build all` vs plain `docker build` of the {len(built)} rendered targets (warm cache) "
        f"| {noop:.1f} s | {plain:.1f} s | **{noop / plain:.3f}x** | 0.2x or less |",
    ]


def parallel_versus_serial() -> list[str]:
    images = targets(("image",))
    names, refs = [t["name"] for t in images], [t["reference"] for t in images]
    times = {}
    for jobs in ("1", "2"):
        cold_start(refs)
        times[jobs], _ = buildtool("--stacks", "local", "build", "-j", jobs, *names)
    return [
        f"| (b) cold build of the {len(names)} singleuser images (stacks present), -j2 vs -j1 "
        f"| {times['2']:.1f} s | {times['1']:.1f} s | **{times['2'] / times['1']:.2f}x** | 0.75x or less |",
    ]


def whole_matrix() -> list[str]:
    everything = targets(("root", "stack", "image", "hub"))
    cold_start([t["reference"] for t in everything])
    cold_build, _ = buildtool("--stacks", "local", "build", "all", "-j", "2")
    cold_test = timed(sys.executable, "-m", "pytest", "-q", "-m", "docker", "tests")
    warm_build, _ = buildtool("--stacks", "local", "build", "all", "-j", "2", "--force")
    warm_test = timed(sys.executable, "-m", "pytest", "-q", "-m", "docker", "tests")
    noop_build, _ = buildtool("--stacks", "local", "build", "all", "-j", "2")
    return [
        f"| (c) whole matrix, cold (no image, empty BuildKit cache): `build all -j2` + Docker tests "
        f"| {cold_build:.1f} s + {cold_test:.1f} s | | | |",
        f"| (c) whole matrix, warm (BuildKit cache full): `build all -j2 --force` + Docker tests "
        f"| {warm_build:.1f} s + {warm_test:.1f} s | | | |",
        f"| (c) whole matrix, nothing changed: `build all -j2` | {noop_build:.1f} s | | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matrix", action="store_true", help="also (c), the whole matrix cold and warm")
    args = parser.parse_args()
    rows = noop_versus_plain() + parallel_versus_serial() + (whole_matrix() if args.matrix else [])
    lines = [
        *header("Speed: incremental skips and parallel builds", "python bench/speed.py"
                + (" --matrix" if args.matrix else "")),
        "| measure | buildtool | baseline | ratio | goal |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Plain `docker build` uses the engine's built-in BuildKit with the same rendered contexts and CA secret;",
        "with every layer cached it still sends each context and resolves every step, where `build` compares",
        "fingerprint labels. -j runs independent targets at once (here: siblings once their parent is built).",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
