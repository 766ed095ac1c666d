"""Benchmark: source servers (a dashboard built from a snapshot of its owner's server), in one run.

    python bench/source_servers.py      (builds what it needs)

A hub from hub/docker-compose.yml; its owner puts about 100 MB of files into her notebook server's environment
(a package in site-packages, through a kernel, as `pip install` would), then saves voila dashboards with that
server as their source and without one, three of each, and opens each until the notebook's output shows (save
to content: the form, the snapshot when there is one, the server's start, voila). The snapshot's own time and size
are the hub's log line for it. Results: bench/results-source-servers.md.
"""

from __future__ import annotations

import re
import statistics
import sys
import time

import docker
from common import PROJECT_DIR, header, publish, voila_hub_images

sys.path.insert(0, str(PROJECT_DIR))  # the tests' helpers

from tests.hub.deployment import start_hub, stop_hub
from tests.hub.kernels import run_in_kernel
from tests.hub.test_source_servers import DATA, INSTALL, NOTEBOOK, notebook, save, shown, snapshots, urlname_of

RESULTS = PROJECT_DIR / "bench" / "results-source-servers.md"
ROUNDS = 3
MEGABYTES = 100
FILL = f"""
import os, pathlib, sysconfig
package = pathlib.Path(sysconfig.get_paths()["purelib"]) / "containds_bench_payload"
package.mkdir(exist_ok=True)
for i in range({MEGABYTES // 5}):
    (package / f"part{{i}}.bin").write_bytes(os.urandom(5 * 1024 * 1024))
(package / "__init__.py").write_text("")
print(sum(f.stat().st_size for f in package.iterdir()))
"""
LOG_LINE = re.compile(r"snapshot \S+ of \S+ made in ([0-9.]+) s \(([0-9]+) MB of changes\)")


def main() -> None:
    client = docker.from_env(timeout=300)
    line, hub_ref, image_ref = voila_hub_images()
    hub = start_hub(client, "containds-bench-src", line, hub_ref, image_ref,
                    CDS_SNAPSHOT_REPOSITORY="containds-bench-snapshots")
    try:
        owner = hub.working_user("alice")
        owner.write_file(NOTEBOOK, notebook())
        written = int(run_in_kernel(owner, FILL).strip().splitlines()[-1])
        assert "installed" in run_in_kernel(owner, INSTALL.format(version="bench", data=DATA))
        timings: dict[str, list[float]] = {"with": [], "without": []}
        for i in range(ROUNDS):
            for kind, source in (("with", "server:"), ("without", None)):
                started = time.monotonic()
                urlname = urlname_of(save(owner, f"Bench {kind} {i}", source))
                shown(owner, urlname, "PROBE V-bench" if kind == "with" else "NO PROBE")
                timings[kind].append(time.monotonic() - started)
        made = [(float(s), int(m)) for s, m in LOG_LINE.findall(hub.logs())]
        kept = len(snapshots(hub))
    finally:
        stop_hub(hub)
        for leftover in client.images.list(filters={"label": "org.containds.snapshot.hub=containds-bench-src"}):
            client.images.remove(leftover.id, force=True)
    lines = [
        *header("Source servers: snapshot and save to content", "python bench/source_servers.py"),
        f"{written / 1e6:.0f} MB written into the owner's server's site-packages; {ROUNDS} dashboards of each kind,",
        "each saved through the form and opened until its output shows. Medians.",
        "",
        "| | median | runs |",
        "|---|---|---|",
        f"| snapshot of the source server (hub's log) | {statistics.median(s for s, _ in made):.1f} s "
        f"({statistics.median(m for _, m in made)} MB of changes) | {', '.join(f'{s:.1f}' for s, _ in made)} s |",
        f"| save to content, with a source server | {statistics.median(timings['with']):.1f} s | "
        f"{', '.join(f'{t:.1f}' for t in timings['with'])} s |",
        f"| save to content, without one | {statistics.median(timings['without']):.1f} s | "
        f"{', '.join(f'{t:.1f}' for t in timings['without'])} s |",
        "",
        f"Snapshots left on the engine after the {ROUNDS} dashboards with a source: {kept} (one per dashboard).",
    ]
    publish(RESULTS, lines)


if __name__ == "__main__":
    main()
