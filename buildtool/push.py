"""Push every tag of built targets to a registry and report each reference with its digest; then each image's
SBOM beside it, tagged by cosign's convention (`sha256-<hex of the image's digest>.sbom`, registry.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from buildtool import engine, manifest, platforms, sbom
from buildtool.buildinfo import BuildInfo
from buildtool.errors import BuildToolError
from buildtool.graph import Graph, Target
from buildtool.labels import REVISION_LABEL
from buildtool.layout import BuildDir
from buildtool.registry import cosign_tag, image_labels, push_artifact, push_index, tags_and_digests
from buildtool.tags import all_refs, primary_ref, release_tag


@dataclass(frozen=True)
class PushResult:
    target: str
    reference: str
    digest: str | None
    ok: bool
    detail: str = ""
    # An SBOM's reference is its cosign tag, its digest its manifest's; an index's, the plain tag of several platforms.
    kind: Literal["image", "sbom", "index"] = "image"


def push_targets(
    graph: Graph,
    targets: list[Target],
    info: BuildInfo,
    registry: str | None,
    build_dir: BuildDir,
    keep_going: bool,
    progress: Callable[[str], None],
    prefix: str | None = None,
) -> list[PushResult]:
    """Push each target's tags (after `prefix`; default: as the local image has them), then its SBOM; with
    `keep_going`, a failure does not stop the other targets."""
    results: list[PushResult] = []
    for target in targets:
        local = primary_ref(graph.matrix, target)
        found, unreadable = _read_manifest(graph, target, local, info, build_dir)
        host = registry or graph.matrix.registry
        pushed: list[PushResult] = []
        values = found.image_values() if found else {}
        for ref in all_refs(graph, target, info, registry, image_values=values, prefix=prefix):
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
        if not keep_going and not all(r.ok for r in pushed):
            break
    return results


def push_platforms(
    graphs: Sequence[tuple[Graph, BuildDir]],
    names: Sequence[str],
    info: BuildInfo,
    registry: str | None,
    keep_going: bool,
    progress: Callable[[str], None],
    merge: bool = True,
) -> list[PushResult]:
    """Each platform's images under its own tags (docker-stacks' prefixes: `x86_64-<tag>`, `aarch64-<tag>`) with
    their SBOMs, then, with `merge`, every tag they share as the OCI image index of them (`<tag>`: what `docker
    pull` on any of these platforms takes)."""
    results: list[PushResult] = []
    shared: dict[tuple[str, str], dict[str, str]] = {}  # (target, plain reference) -> platform -> image digest
    for graph, build_dir in graphs:
        prefix = platforms.tag_prefix(graph.matrix.platform)
        pushed = push_targets(graph, graph.select(list(names)), info, registry, build_dir, keep_going, progress,
                              prefix)
        results += pushed
        for result in pushed:
            if result.kind == "image" and result.ok and result.digest:
                repository, tag = result.reference.rsplit(":", 1)
                plain = f"{repository}:{tag.removeprefix(prefix)}"
                shared.setdefault((result.target, plain), {})[graph.matrix.platform] = result.digest
        if not keep_going and not all(r.ok for r in results):
            return results
    if not merge:
        return results
    wanted = {graph.matrix.platform for graph, _ in graphs}
    for (target, plain), digests in shared.items():
        if set(digests) != wanted:
            progress(f"{target}: {plain} not made an index: only {', '.join(sorted(digests))} have this tag")
            continue
        repository, tag = plain.rsplit(":", 1)
        result = _index(target, repository, tag, digests, progress)
        results.append(result)
        if not result.ok and not keep_going:
            break
    return results


def merge_platforms(
    graph: Graph,
    targets: list[Target],
    info: BuildInfo,
    registry: str | None,
    progress: Callable[[str], None],
) -> list[PushResult]:
    """Make each plain tag the index of the matrix's platforms' own tags, from what the registry has (when every
    platform was pushed by a machine of its own: the workflow's runners). Each platform's release tag must name an
    image of one and the same commit (their revision labels), and only the tags naming those very images on every
    platform are merged: a platform whose push failed is never paired, by its old image, with another's new one."""
    results: list[PushResult] = []
    prefixes = {platform: platforms.tag_prefix(platform) for platform in graph.matrix.platforms}
    for target in targets:
        release = release_tag(graph.matrix, target)
        repository = all_refs(graph, target, info, registry, prefix="")[0].rsplit(":", 1)[0]
        try:
            tags = tags_and_digests(repository, tuple(prefixes.values()))
            anchors = {platform: tags.get(prefix + release, "") for platform, prefix in prefixes.items()}
            revisions = {platform: _revision(repository, digest) if digest else "missing"
                         for platform, digest in anchors.items()}
            problem = "" if len(set(revisions.values())) == 1 and "missing" not in revisions.values() else (
                "the platforms' images are of different commits: " + ", ".join(
                    f"{prefixes[p]}{release} {revision}" for p, revision in revisions.items()))
        except BuildToolError as exc:
            problem = f"the registry: {exc}"
        if problem:
            results.append(PushResult(target.name, f"{repository}:{release}", None, False, problem, "index"))
            progress(f"{target.name}: FAILED: {problem}")
            continue
        first = prefixes[graph.matrix.platforms[0]]
        for tag in (tag.removeprefix(first) for tag in tags if tag.startswith(first)):
            if {platform: tags.get(prefix + tag) for platform, prefix in prefixes.items()} == anchors:
                results.append(_index(target.name, repository, tag, anchors, progress))
    return results


def _revision(repository: str, digest: str) -> str:
    return image_labels(repository, digest).get(REVISION_LABEL, "none")


def _index(target: str, repository: str, tag: str, digests: dict[str, str],
           progress: Callable[[str], None]) -> PushResult:
    """Tag `tag` as the index of the platforms' images `digests`; the result, said on progress."""
    reference = f"{repository}:{tag}"
    try:
        result = PushResult(target, reference, push_index(repository, tag, digests), True, kind="index")
    except BuildToolError as exc:
        result = PushResult(target, reference, None, False, f"index push failed: {exc}", kind="index")
    outcome = f"pushed {result.digest}" if result.ok else f"FAILED: {result.detail}"
    progress(f"{target}: {reference} index of {', '.join(sorted(digests))} {outcome}")
    return result


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
        return PushResult(target, ref, engine.push_image(local, ref), True)
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
            stored = push_artifact(repository, cosign_tag(digest, "sbom"), path.read_bytes(), sbom.MEDIA_TYPE,
                                   path.name)
            result = PushResult(target, ref, stored, True, kind="sbom")
        except (BuildToolError, OSError) as exc:
            result = PushResult(target, ref, None, False, f"SBOM push to {host} failed: {exc}", kind="sbom")
        outcome = f"pushed {result.digest}" if result.ok else f"FAILED: {result.detail}"
        progress(f"{target}: SBOM {ref} {outcome}")
        results.append(result)
    return results
