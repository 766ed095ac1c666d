"""Build targets parents first: skip what is up to date, record each result, keep going when asked.

Each target is produced the way the graph says: the root by bootstrap (debootstrap, then `docker import`),
every other built target from its rendered Dockerfile. Either way it gets a fingerprint, its labels and its
tags, and an image whose fingerprint label already matches is left alone.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from buildtool import engine, manifest, sbom
from buildtool.bootstrap import bootstrap_root, root_fingerprint
from buildtool.buildinfo import BuildInfo
from buildtool.errors import BuildToolError
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import Graph, Target
from buildtool.labels import build_labels
from buildtool.layout import BuildDir
from buildtool.render import render_all
from buildtool.results import Result, Status, summary_table
from buildtool.schedule import run_parents_first
from buildtool.status import Reporter, reporter_for
from buildtool.tags import all_refs, primary_ref

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    build_dir: BuildDir
    ca_bundle: Path | None
    keep_going: bool
    force: frozenset[str]  # targets to make again even when up to date (the named ones, not their ancestors)
    info: BuildInfo


@dataclass(frozen=True)
class Plan:
    """What building one target takes: its fingerprint and the step that makes its image."""

    target: Target
    fingerprint: str
    make: Callable[[str, tuple[str, ...], dict[str, str]], None]  # (primary ref, all refs, labels) -> image


def run_build(graph: Graph, targets: list[Target], options: BuildOptions, jobs: int = 1) -> list[Result]:
    """`build_targets` with progress on stderr (a live table on a terminal), the builder used, the summary."""
    ca = options.ca_bundle
    print(f"CA bundle: {ca} (as BuildKit secret)" if ca else "CA bundle: none", file=sys.stderr)
    started = time.monotonic()
    reporter = reporter_for([t.name for t in targets])
    try:
        results = build_targets(graph, targets, options, reporter, jobs)
    finally:
        reporter.close()
    if any(r.status == "built" and graph.targets[r.target].production == "dockerfile" for r in results):
        print(f"builder: {engine.detect_builder().describe()}", file=sys.stderr)
    print(f"\n{summary_table(results)}\ntotal {time.monotonic() - started:.1f}s", file=sys.stderr)
    return results


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
    plans = plan(graph, targets, options)

    def build(name: str) -> Result:
        return _build_one(graph, plans[name], options, known[name])

    return run_parents_first([t.name for t in targets], {t.name: t.parent for t in targets}, build, reporter, jobs,
                             options.keep_going)


def plan(graph: Graph, targets: list[Target], options: BuildOptions) -> dict[str, Plan]:
    """A plan per target: bootstrap the root, build the rest from their rendered Dockerfiles."""
    build_dir = options.build_dir
    rendered = render_all(graph, targets, build_dir.contexts, build_dir.templates_cache)
    plans = {}
    for target in targets:
        log = build_dir.log(target.name)
        if target.production == "bootstrap":
            root = graph.matrix.root
            fingerprint = root_fingerprint(root, foreign_platform(graph))
            plans[target.name] = Plan(target, fingerprint, _bootstrap_step(graph, build_dir.rootfs, log))
        else:
            item = rendered[target.name]
            step = _dockerfile_step(graph, target, item.context, options, log)
            plans[target.name] = Plan(target, item.fingerprint, step)
    return plans


def foreign_platform(graph: Graph) -> str | None:
    """The platform to build for when it is not this machine's (None: the engine's own, as ever)."""
    return graph.matrix.platform if graph.matrix.foreign_platform else None


def _bootstrap_step(graph: Graph, rootfs: Path, log: Path) -> Callable[[str, tuple[str, ...], dict[str, str]], None]:
    def make(ref: str, _refs: tuple[str, ...], labels: dict[str, str]) -> None:
        platform = foreign_platform(graph)
        foreign = None if platform is None else (platform, engine.detect_builder())
        bootstrap_root(graph.matrix.root, ref, labels, rootfs, log, foreign)  # tagged with the other refs afterwards
    return make


def _dockerfile_step(graph: Graph, target: Target, context: Path, options: BuildOptions,
                     log: Path) -> Callable[[str, tuple[str, ...], dict[str, str]], None]:
    def make(_ref: str, refs: tuple[str, ...], labels: dict[str, str]) -> None:
        engine.build_image(engine.detect_builder(), target.name, context, refs, labels, options.ca_bundle, log,
                           foreign_platform(graph))
    return make


def _build_one(graph: Graph, plan: Plan, options: BuildOptions, current: engine.ImageState | None) -> Result:
    """Build one target unless its image (`current`, None when there is none) already has its fingerprint."""
    started = time.monotonic()
    target = plan.target
    ref = primary_ref(graph.matrix, target)
    refs = all_refs(graph, target, options.info)
    try:
        status: Status = "up to date"
        forced = target.name in options.force
        if forced or current is None or current.labels.get(FINGERPRINT_LABEL) != plan.fingerprint:
            status = "built"
            plan.make(ref, refs, build_labels(graph, target, options.info, plan.fingerprint))
            current = engine.image_state(ref)
        for stage, directory in target.artifacts.items():
            export_artifacts(graph, target, stage, options.build_dir.artifacts(directory), plan.fingerprint, options,
                             forced=status == "built")
        if target.has_python:
            refs = record_manifest(graph, target, ref, plan.fingerprint, options)
        else:
            LOGGER.info("%s has no python3: no manifest, no SBOM", target.name)
        missing = [r for r in refs if current is None or r not in current.tags]
        if missing:
            engine.tag_image(ref, missing)  # a new commit's or day's tags, also on an up-to-date image
    except engine.BuildFailed as exc:
        return Result(target.name, "failed", time.monotonic() - started, None, f"{exc}\n{exc.tail}")
    except BuildToolError as exc:  # the engine refused something too: this target failed, not the run
        return Result(target.name, "failed", time.monotonic() - started, None, str(exc))
    return Result(target.name, status, time.monotonic() - started, current.size if current else None)


def export_artifacts(graph: Graph, target: Target, stage: str, dest: Path, fingerprint: str, options: BuildOptions,
                     forced: bool) -> None:
    """Write a build stage's files (e.g. the hub's wheels) to `dest`, unless they are there from this very build
    input (a stamp file holds its fingerprint)."""
    stamp = dest.with_name(dest.name + ".fingerprint")
    if not forced and dest.is_dir() and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return
    context = options.build_dir.contexts / target.name
    engine.export_stage(engine.detect_builder(), target.name, context, stage, dest, options.ca_bundle,
                        options.build_dir.log(target.name), foreign_platform(graph))
    dest.chmod(0o755)  # BuildKit makes it private to root; the wheels are for anyone to install
    stamp.write_text(fingerprint + "\n")


def record_manifest(graph: Graph, target: Target, ref: str, fingerprint: str, options: BuildOptions) -> tuple[str, ...]:
    """Read (or reuse) the image's manifest, write it and the SBOM made from it; returns every reference,
    image-known tags included."""
    found = manifest.load_cached(options.build_dir, target.name, fingerprint)
    if found is None:
        try:
            found = manifest.collect(graph, target, ref, fingerprint)
        except engine.CommandMissing:
            LOGGER.info("%s has no python3: no manifest, no SBOM, no image-known tags", target.name)
            return all_refs(graph, target, options.info)
    refs = all_refs(graph, target, options.info, image_values=found.image_values())
    if refs != found.references:  # new, or a new commit's or day's tags: an up-to-date one is not rewritten
        found = dataclasses.replace(found, references=refs)
        manifest.write(options.build_dir, found)
    sbom.ensure(options.build_dir, found)  # also for a reused manifest: an SBOM is there for every such image
    return refs
