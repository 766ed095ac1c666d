"""Push every tag of built targets to a registry and report each reference with its digest; then each image's
SBOM beside it, tagged by cosign's convention (`sha256-<hex of the image's digest>.sbom`, registry.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from buildtool import engine, manifest, sbom
from buildtool.buildinfo import BuildInfo
from buildtool.errors import BuildToolError
from buildtool.graph import Graph, Target
from buildtool.layout import BuildDir
from buildtool.registry import cosign_tag, push_artifact
from buildtool.tags import all_refs, primary_ref


@dataclass(frozen=True)
class PushResult:
    target: str
    reference: str
    digest: str | None
    ok: bool
    detail: str = ""
    kind: Literal["image", "sbom"] = "image"  # an SBOM's reference is its cosign tag, its digest its manifest's


def push_targets(
    graph: Graph,
    targets: list[Target],
    info: BuildInfo,
    registry: str | None,
    build_dir: BuildDir,
    keep_going: bool,
    progress: Callable[[str], None],
) -> list[PushResult]:
    """Push each target's tags, then its SBOM; with `keep_going`, a failure does not stop the other targets."""
    results: list[PushResult] = []
    for target in targets:
        local = primary_ref(graph.matrix, target)
        found, unreadable = _read_manifest(graph, target, local, info, build_dir)
        host = registry or graph.matrix.registry
        pushed: list[PushResult] = []
        for ref in all_refs(graph, target, info, registry, image_values=found.image_values() if found else {}):
            result = _push_one(target.name, local, ref, host)
            outcome = f"pushed {result.digest}" if result.ok else f"FAILED: {result.detail}"
            progress(f"{target.name}: {ref} {outcome}")
            pushed.append(result)
            if not result.ok:
                break  # the other tags of this target would fail the same way
        if pushed and all(r.ok for r in pushed):
            if unreadable:
                pushed.append(PushResult(target.name, pushed[0].reference, None, False,
                                         f"no manifest to make its SBOM from: {unreadable}", kind="sbom"))
                progress(f"{target.name}: SBOM FAILED: {pushed[-1].detail}")
            elif found is None:
                progress(f"{target.name}: no SBOM (the image has no python3, so no manifest to make one from)")
            else:
                pushed += _push_sboms(target.name, found, pushed, host, build_dir, progress)
        results += pushed
        if results and not results[-1].ok and not keep_going:
            break
    return results


def _read_manifest(graph: Graph, target: Target, local: str, info: BuildInfo,
                   build_dir: BuildDir) -> tuple[manifest.Manifest | None, str]:
    """The image's manifest (None without python3), and why it could not be read (an SBOM's failure)."""
    try:
        found = manifest.of_image(graph, target, local, build_dir)
    except engine.CommandMissing:
        return None, ""  # no python3 after all: no manifest, so no SBOM, as in build
    except BuildToolError as exc:
        return None, str(exc)  # no such image: reported by the first push, before this matters
    if found is not None and not found.references:  # read by running the image: its references, as build gives
        found = dataclasses.replace(found, references=all_refs(graph, target, info, image_values=found.image_values()))
    return found, ""


def _push_one(target: str, local: str, ref: str, registry: str) -> PushResult:
    try:
        engine.push_image(local, ref)
        return PushResult(target, ref, engine.registry_digest(ref), True)
    except engine.ImageMissing:
        return PushResult(target, ref, None, False, f"no local image {local}: run `build {target}` first")
    except BuildToolError as exc:
        return PushResult(target, ref, None, False, f"push to {registry} failed: {exc}")


def _push_sboms(target: str, found: manifest.Manifest, images: list[PushResult], host: str, build_dir: BuildDir,
                progress: Callable[[str], None]) -> list[PushResult]:
    """The SBOM (the file build wrote, made again if it is not this image's) once per repository and image
    digest: the tags of one image share both, so it is usually one push."""
    results = []
    for repository, digest in dict.fromkeys((r.reference.rsplit(":", 1)[0], r.digest) for r in images):
        ref = f"{repository}:{cosign_tag(digest, 'sbom')}" if digest else f"{repository}:<no digest>"
        try:
            if digest is None:
                raise BuildToolError("the registry gave the image no digest to tag its SBOM by")
            path = sbom.ensure(build_dir, found)
            stored = push_artifact(repository, cosign_tag(digest, "sbom"), path.read_bytes(),
                                            sbom.MEDIA_TYPE, path.name)
            result = PushResult(target, ref, stored, True, kind="sbom")
        except (BuildToolError, OSError) as exc:
            result = PushResult(target, ref, None, False, f"SBOM push to {host} failed: {exc}", kind="sbom")
        outcome = f"pushed {result.digest}" if result.ok else f"FAILED: {result.detail}"
        progress(f"{target}: SBOM {ref} {outcome}")
        results.append(result)
    return results
