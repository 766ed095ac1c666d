"""The labels every built image carries: OCI annotations and the build tool's fingerprint."""

from __future__ import annotations

from buildtool.buildinfo import BuildInfo
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import Graph, Target
from buildtool.matrix import Matrix
from buildtool.tags import primary_ref, release_tag


def static_labels(matrix: Matrix, target: Target, fingerprint: str) -> dict[str, str]:
    """The labels known before a build, for `build` and the bake file."""
    return {
        "org.opencontainers.image.title": target.name,
        "org.opencontainers.image.description": target.description,
        "org.opencontainers.image.source": matrix.source,
        "org.opencontainers.image.version": release_tag(matrix, target),
        FINGERPRINT_LABEL: fingerprint,
    }


REVISION_LABEL = "org.opencontainers.image.revision"  # the commit built (`merge` pairs only one commit's images)


def build_labels(graph: Graph, target: Target, info: BuildInfo, fingerprint: str) -> dict[str, str]:
    """The static labels plus what the build moment knows, given at build time so Dockerfiles stay reproducible.

    `created` is the commit's time, not the wall clock: a rebuild of the same inputs at the same commit then
    gives the same image ID, so BuildKit's cache still matches every image built on it.
    """
    labels = {
        **static_labels(graph.matrix, target, fingerprint),
        "org.opencontainers.image.created": info.source_time or f"{info.build_date}T00:00:00+00:00",
        REVISION_LABEL: info.git_sha or "unknown",
    }
    if target.parent is not None:
        labels["org.opencontainers.image.base.name"] = primary_ref(graph.matrix, graph.targets[target.parent])
    return labels
