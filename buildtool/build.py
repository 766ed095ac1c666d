"""Build targets parents first: skip what is up to date, record each result, keep going when asked."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import docker.errors

from buildtool import engine, manifest
from buildtool.bootstrap import bootstrap_root, root_fingerprint
from buildtool.errors import BuildToolError
from buildtool.graph import Graph, Target
from buildtool.render import FINGERPRINT_LABEL, Rendered, render_all
from buildtool.tags import BuildInfo, all_refs, primary_ref

LOGGER = logging.getLogger(__name__)

Status = Literal["built", "up to date", "failed", "blocked", "not started"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    build_dir: Path
    ca_bundle: Path | None
    keep_going: bool
    force: frozenset[str]  # targets to rebuild even when up to date (the named ones, not their ancestors)
    info: BuildInfo
    force_root: bool = False  # debootstrap again: only `bootstrap --force`, as a new root invalidates every cache


@dataclass(frozen=True)
class Result:
    target: str
    status: Status
    seconds: float
    size: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("built", "up to date")


def contexts_dir(build_dir: Path) -> Path:
    return build_dir / "contexts"


def build_targets(graph: Graph, targets: list[Target], options: BuildOptions, progress: Progress) -> list[Result]:
    """Build `targets` (already in build order, ancestors included). Never raises for one target's failure."""
    rendered = render_all(graph, targets, contexts_dir(options.build_dir))
    results: dict[str, Result] = {}
    stopped = False
    for index, target in enumerate(targets, start=1):
        prefix = f"[{index}/{len(targets)}] {target.name}"
        parent = results.get(target.parent or "")
        if parent is not None and not parent.ok:
            results[target.name] = Result(target.name, "blocked", 0.0, None, f"parent {parent.target} {parent.status}")
        elif stopped:
            results[target.name] = Result(target.name, "not started", 0.0, None, "an earlier target failed")
        else:
            progress(f"{prefix}: checking")
            results[target.name] = _build_one(graph, target, rendered.get(target.name), options)
            stopped = not results[target.name].ok and not options.keep_going
        result = results[target.name]
        size = f", {format_size(result.size)}" if result.size else ""
        progress(f"{prefix}: {result.status} in {result.seconds:.1f}s{size}"
                 + (f" ({result.detail.splitlines()[0]})" if result.detail else ""))
        if result.status == "failed" and "\n" in result.detail:
            progress("    " + "\n    ".join(result.detail.splitlines()[1:]))
    return list(results.values())


def _build_one(graph: Graph, target: Target, rendered: Rendered | None, options: BuildOptions) -> Result:
    started = time.monotonic()
    ref = primary_ref(graph.matrix, target)
    refs = all_refs(graph, target, options.info)
    fingerprint = rendered.fingerprint if rendered else root_fingerprint(graph.matrix.root)
    try:
        current = engine.image_labels(ref)
        forced = options.force_root if rendered is None else target.name in options.force
        status: Status = "up to date"
        if forced or current is None or current.get(FINGERPRINT_LABEL) != fingerprint:
            status = "built"
            labels = oci_labels(graph, target, options.info, fingerprint)
            log = options.build_dir / "logs" / f"{target.name}.log"
            if rendered is None:
                bootstrap_root(graph.matrix.root, ref, labels, options.build_dir / "rootfs", log)
            else:
                engine.build_image(engine.detect_builder(), target.name, rendered.context, refs, labels,
                                   options.ca_bundle, log)
        if rendered is not None:  # the root has no Python to ask
            refs = record_manifest(graph, target, ref, fingerprint, options)
        engine.tag_image(ref, refs)  # also a new commit's or day's tags on an up-to-date image
    except engine.BuildFailed as exc:
        return Result(target.name, "failed", time.monotonic() - started, None, f"{exc}\n{exc.tail}")
    except BuildToolError as exc:
        return Result(target.name, "failed", time.monotonic() - started, None, str(exc))
    except docker.errors.DockerException as exc:  # the engine refused something: this target failed, not the run
        return Result(target.name, "failed", time.monotonic() - started, None, f"Docker engine: {exc}")
    return Result(target.name, status, time.monotonic() - started, engine.image_size(ref))


def record_manifest(graph: Graph, target: Target, ref: str, fingerprint: str, options: BuildOptions) -> tuple[str, ...]:
    """Read (or reuse) the image's manifest, write it out; returns every reference, image-known tags included."""
    found = manifest.load_cached(options.build_dir, target.name, fingerprint)
    if found is None:
        try:
            found = manifest.collect(graph, target, ref, fingerprint)
        except engine.CommandMissing:
            LOGGER.info("%s has no python3: no manifest, no image-known tags", target.name)
            return all_refs(graph, target, options.info)
    refs = all_refs(graph, target, options.info, image_values=found.image_values())
    manifest.write(options.build_dir, dataclasses.replace(found, references=refs))
    return refs


def oci_labels(graph: Graph, target: Target, info: BuildInfo, fingerprint: str) -> dict[str, str]:
    """OCI annotations plus our fingerprint, given at build time so Dockerfiles stay reproducible.

    `created` is the commit's time, not the wall clock: a rebuild of the same inputs at the same commit then
    gives the same image ID, so BuildKit's cache still matches every image built on it.
    """
    matrix = graph.matrix
    labels = {
        "org.opencontainers.image.title": target.name,
        "org.opencontainers.image.description": target.description,
        "org.opencontainers.image.source": matrix.source,
        "org.opencontainers.image.version": primary_ref(matrix, target).rsplit(":", 1)[1],
        "org.opencontainers.image.created": info.source_time or f"{info.build_date}T00:00:00+00:00",
        "org.opencontainers.image.revision": info.git_sha or "unknown",
        FINGERPRINT_LABEL: fingerprint,
    }
    if target.parent is not None:
        labels["org.opencontainers.image.base.name"] = primary_ref(matrix, graph.targets[target.parent])
    return labels


def format_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.2f} GB"


def summary_table(results: list[Result]) -> str:
    rows = [("target", "result", "time", "size")]
    rows += [(r.target, r.status, f"{r.seconds:.1f}s", format_size(r.size)) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
