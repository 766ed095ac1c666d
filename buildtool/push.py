"""Push every tag of built targets to a registry and report each reference with its digest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from buildtool import engine, manifest
from buildtool.buildinfo import BuildInfo
from buildtool.errors import BuildToolError
from buildtool.graph import Graph, Target
from buildtool.layout import BuildDir
from buildtool.tags import all_refs, primary_ref


@dataclass(frozen=True)
class PushResult:
    target: str
    reference: str
    digest: str | None
    ok: bool
    detail: str = ""


def push_targets(
    graph: Graph,
    targets: list[Target],
    info: BuildInfo,
    registry: str | None,
    build_dir: BuildDir,
    keep_going: bool,
    progress: Callable[[str], None],
) -> list[PushResult]:
    """Push each target's tags; with `keep_going`, a failure does not stop the other targets."""
    results: list[PushResult] = []
    for target in targets:
        local = primary_ref(graph.matrix, target)
        try:
            values = manifest.image_values(graph, target, local, build_dir)
        except BuildToolError:
            values = {}  # no such image: reported by the first push below
        for ref in all_refs(graph, target, info, registry, image_values=values):
            result = _push_one(target.name, local, ref, registry or graph.matrix.registry)
            outcome = f"pushed {result.digest}" if result.ok else f"FAILED: {result.detail}"
            progress(f"{target.name}: {ref} {outcome}")
            results.append(result)
            if not result.ok:
                break  # the other tags of this target would fail the same way
        if results and not results[-1].ok and not keep_going:
            break
    return results


def _push_one(target: str, local: str, ref: str, registry: str) -> PushResult:
    try:
        engine.push_image(local, ref)
        return PushResult(target, ref, engine.registry_digest(ref), True)
    except engine.ImageMissing:
        return PushResult(target, ref, None, False, f"no local image {local}: run `build {target}` first")
    except BuildToolError as exc:
        return PushResult(target, ref, None, False, f"push to {registry} failed: {exc}")
