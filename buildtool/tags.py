"""Image references and tags, from the matrix's tag policy."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from buildtool.graph import Graph, Target
from buildtool.matrix import Matrix
from buildtool.schema import PLACEHOLDER

FINGERPRINT_LABEL = "io.containds.buildtool.fingerprint"  # the label each built image carries its fingerprint in


@dataclass(frozen=True)
class BuildInfo:
    """What only the build moment knows: the commit, its time, and today's date."""

    git_sha: str | None  # 12 hex digits, None outside a git checkout
    build_date: str  # YYYY-MM-DD, UTC: the date tag
    source_time: str | None = None  # the commit's time (or SOURCE_DATE_EPOCH), ISO 8601, UTC

    @classmethod
    def detect(cls, project_dir: Path) -> BuildInfo:
        sha = _git(project_dir, "rev-parse", "--short=12", "HEAD")
        epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(project_dir, "log", "-1", "--format=%ct")
        source_time = None
        if epoch and epoch.isdigit():
            source_time = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat(timespec="seconds")
        return cls(sha, dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"), source_time)


def _git(project_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def tag_templates(matrix: Matrix, target: Target) -> tuple[str, ...]:
    policy = matrix.tags
    return {"root": policy.root, "stack": policy.stacks, "image": policy.images, "hub": policy.hub}[target.kind]


def repository(matrix: Matrix, name: str, registry: str | None = None) -> str:
    """`owner/name`, or `registry/owner/name` for registries other than Docker Hub."""
    registry = registry or matrix.registry
    prefix = "" if registry in ("docker.io", "index.docker.io") else f"{registry}/"
    return f"{prefix}{matrix.owner}/{name}"


def primary_tag(matrix: Matrix, target: Target) -> str:
    """The first tag of the target's policy: pinned versions only."""
    return _fill(tag_templates(matrix, target)[0], matrix.versions)


def primary_ref(matrix: Matrix, target: Target) -> str:
    """The reference children's FROM lines use: pinned versions only, so renders are reproducible."""
    if target.external is not None:
        return target.external
    return f"{repository(matrix, target.name)}:{primary_tag(matrix, target)}"


def static_labels(matrix: Matrix, target: Target, fingerprint: str) -> dict[str, str]:
    """The labels known before a build (OCI annotations and the fingerprint), for `build` and the bake file."""
    return {
        "org.opencontainers.image.title": target.name,
        "org.opencontainers.image.description": target.description,
        "org.opencontainers.image.source": matrix.source,
        "org.opencontainers.image.version": primary_tag(matrix, target),
        FINGERPRINT_LABEL: fingerprint,
    }


def all_refs(
    graph: Graph, target: Target, info: BuildInfo, registry: str | None = None,
    image_values: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Every reference a built target is tagged with: the tag policy of its kind, then the tags of each
    framework it contains. `image_values` are read from the built image (e.g. `python`); a tag needing a
    value that is not known (yet) is left out."""
    matrix = graph.matrix
    values = {**matrix.versions, "build_date": info.build_date, **(image_values or {})}
    if info.git_sha:
        values["git_sha"] = info.git_sha
    values = {name: value for name, value in values.items() if value}  # an empty value is an unknown one
    templates = list(tag_templates(matrix, target))
    if target.kind == "image":
        templates += [tag for fw in graph.frameworks(target.name) for tag in matrix.frameworks[fw].tags]
    refs = []
    for template in templates:
        if all(name in values for name in PLACEHOLDER.findall(template)):
            refs.append(f"{repository(matrix, target.name, registry)}:{_fill(template, values)}")
    return tuple(dict.fromkeys(refs))


def parent_ref(graph: Graph, target: Target) -> str | None:
    if target.parent is None:
        return None
    return primary_ref(graph.matrix, graph.targets[target.parent])


def _fill(template: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
