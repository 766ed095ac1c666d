"""Build targets parents first: skip what is up to date, record each result, keep going when asked."""

from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from buildtool import engine, manifest
from buildtool.bootstrap import bootstrap_root, root_fingerprint
from buildtool.errors import BuildToolError
from buildtool.graph import Graph, Target
from buildtool.render import Rendered, render_all
from buildtool.results import Result, Status
from buildtool.status import Reporter
from buildtool.tags import FINGERPRINT_LABEL, BuildInfo, all_refs, primary_ref, static_labels

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    build_dir: Path
    ca_bundle: Path | None
    keep_going: bool
    force: frozenset[str]  # targets to rebuild even when up to date (the named ones, not their ancestors)
    info: BuildInfo
    force_root: bool = False  # debootstrap again: only `bootstrap --force`, as a new root invalidates every cache


def contexts_dir(build_dir: Path) -> Path:
    return build_dir / "contexts"


def bytecode_dir(build_dir: Path) -> Path:
    """Compiled templates: compiling them again would be most of a no-op build's rendering time."""
    return build_dir / "cache" / "jinja"


def build_targets(
    graph: Graph, targets: list[Target], options: BuildOptions, reporter: Reporter, jobs: int = 1
) -> list[Result]:
    """Build `targets` (in build order, ancestors included), up to `jobs` at once: a target starts when its
    parent is done. A failure blocks its descendants; without keep_going nothing new starts after it. Never
    raises for one target's failure; results come back in build order."""
    # One inspect for every target before anything else: it fails the run at once when no engine answers,
    # and a target's own image changes only when that target is built, which re-reads it.
    refs = {t.name: primary_ref(graph.matrix, t) for t in targets}
    states = engine.image_states(list(refs.values()))
    known = {name: states[ref] for name, ref in refs.items()}
    rendered = render_all(graph, targets, contexts_dir(options.build_dir), bytecode_dir(options.build_dir))
    in_run = {t.name for t in targets}
    results: dict[str, Result] = {}
    waiting = list(targets)
    running: dict[Future[Result], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while waiting or running:
            stopped = not options.keep_going and any(r.status == "failed" for r in results.values())
            for target in list(waiting):
                parent = results.get(target.parent or "")
                if parent is not None and not parent.ok:
                    _settle(results, reporter, waiting, target,
                            Result(target.name, "blocked", 0.0, None, f"parent {parent.target} {parent.status}"))
                elif stopped:
                    _settle(results, reporter, waiting, target,
                            Result(target.name, "not started", 0.0, None, "an earlier target failed"))
                elif len(running) < max(1, jobs) and (parent is not None or target.parent not in in_run):
                    waiting.remove(target)
                    reporter.started(target.name)
                    job = pool.submit(_build_one, graph, target, rendered.get(target.name), options,
                                      known[target.name])
                    running[job] = target.name
            if running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    del running[future]
                    results[result.target] = result
                    reporter.finished(result)
    return [results[t.name] for t in targets]


def _settle(results: dict[str, Result], reporter: Reporter, waiting: list[Target], target: Target,
            result: Result) -> None:
    waiting.remove(target)
    results[target.name] = result
    reporter.finished(result)


def _build_one(graph: Graph, target: Target, rendered: Rendered | None, options: BuildOptions,
               current: engine.ImageState | None) -> Result:
    """Build one target unless its image (`current`, None when there is none) already has its fingerprint."""
    started = time.monotonic()
    ref = primary_ref(graph.matrix, target)
    refs = all_refs(graph, target, options.info)
    fingerprint = rendered.fingerprint if rendered else root_fingerprint(graph.matrix.root)
    try:
        forced = options.force_root if rendered is None else target.name in options.force
        status: Status = "up to date"
        if forced or current is None or current.labels.get(FINGERPRINT_LABEL) != fingerprint:
            status = "built"
            labels = oci_labels(graph, target, options.info, fingerprint)
            log = options.build_dir / "logs" / f"{target.name}.log"
            if rendered is None:
                bootstrap_root(graph.matrix.root, ref, labels, options.build_dir / "rootfs", log)
            else:
                engine.build_image(engine.detect_builder(), target.name, rendered.context, refs, labels,
                                   options.ca_bundle, log)
            current = engine.image_state(ref)
        if rendered is not None:  # the root has no Python to ask
            refs = record_manifest(graph, target, ref, fingerprint, options)
        missing = [r for r in refs if current is None or r not in current.tags]
        if missing:
            engine.tag_image(ref, missing)  # a new commit's or day's tags, also on an up-to-date image
    except engine.BuildFailed as exc:
        return Result(target.name, "failed", time.monotonic() - started, None, f"{exc}\n{exc.tail}")
    except BuildToolError as exc:  # the engine refused something too: this target failed, not the run
        return Result(target.name, "failed", time.monotonic() - started, None, str(exc))
    return Result(target.name, status, time.monotonic() - started, current.size if current else None)


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
    if refs != found.references:  # new, or a new commit's or day's tags: an up-to-date one is not rewritten
        manifest.write(options.build_dir, dataclasses.replace(found, references=refs))
    return refs


def oci_labels(graph: Graph, target: Target, info: BuildInfo, fingerprint: str) -> dict[str, str]:
    """OCI annotations plus our fingerprint, given at build time so Dockerfiles stay reproducible.

    `created` is the commit's time, not the wall clock: a rebuild of the same inputs at the same commit then
    gives the same image ID, so BuildKit's cache still matches every image built on it.
    """
    labels = {
        **static_labels(graph.matrix, target, fingerprint),
        "org.opencontainers.image.created": info.source_time or f"{info.build_date}T00:00:00+00:00",
        "org.opencontainers.image.revision": info.git_sha or "unknown",
    }
    if target.parent is not None:
        labels["org.opencontainers.image.base.name"] = primary_ref(graph.matrix, graph.targets[target.parent])
    return labels
