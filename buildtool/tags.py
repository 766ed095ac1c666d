"""Image references and tags, from each target's tag templates (the matrix's tag policy)."""

from __future__ import annotations

from collections.abc import Mapping

from buildtool import platforms
from buildtool.buildinfo import BuildInfo
from buildtool.graph import Graph, Target
from buildtool.matrix import Matrix
from buildtool.schema import PLACEHOLDER

# Docker Hub's names: references leave it out; its registry API (registry.py) answers at the second.
DOCKER_HUB = ("docker.io", "index.docker.io")


def repository(matrix: Matrix, name: str, registry: str | None = None) -> str:
    """`owner/name`, or `registry/owner/name` for registries other than Docker Hub."""
    registry = registry or matrix.registry
    prefix = "" if registry in DOCKER_HUB else f"{registry}/"
    return f"{prefix}{matrix.owner}/{name}"


def local_prefix(matrix: Matrix) -> str:
    """What a foreign platform's images' tags start with here (`aarch64-` on an x86_64 machine), so that they
    never take the native images' tags; the native platform's tags are the plain ones."""
    return platforms.tag_prefix(matrix.platform) if matrix.foreign_platform else ""


def release_tag(matrix: Matrix, target: Target) -> str:
    """The first tag of the target's policy (pinned versions only), as published: the release it is."""
    return _fill(target.tag_templates[0], matrix.versions)


def primary_tag(matrix: Matrix, target: Target) -> str:
    """The first tag of the target's policy, as the local image has it (a foreign platform's prefixed)."""
    return local_prefix(matrix) + release_tag(matrix, target)


def primary_ref(matrix: Matrix, target: Target) -> str:
    """The reference children's FROM lines use: pinned versions only, so renders are reproducible."""
    if target.external is not None:
        return target.external
    return f"{repository(matrix, target.name)}:{primary_tag(matrix, target)}"


def all_refs(
    graph: Graph, target: Target, info: BuildInfo, registry: str | None = None,
    image_values: Mapping[str, str] | None = None, prefix: str | None = None,
) -> tuple[str, ...]:
    """Every reference a built target is tagged with: its tag templates filled in, after `prefix` (default:
    the local one, `local_prefix`). `image_values` are read from the built image (`python`, and each installed
    package's version, which the frameworks' tags name: manifest.py); a tag needing a value that is not known
    (yet) is left out."""
    matrix = graph.matrix
    values = {**matrix.versions, "build_date": info.build_date, **(image_values or {})}
    if info.git_sha:
        values["git_sha"] = info.git_sha
    values = {name: value for name, value in values.items() if value}  # an empty value is an unknown one
    refs = []
    for template in target.tag_templates:
        if all(name in values for name in PLACEHOLDER.findall(template)):
            tag = (local_prefix(matrix) if prefix is None else prefix) + _fill(template, values)
            refs.append(f"{repository(matrix, target.name, registry)}:{tag}")
    return tuple(dict.fromkeys(refs))


def parent_ref(graph: Graph, target: Target) -> str | None:
    if target.parent is None:
        return None
    return primary_ref(graph.matrix, graph.targets[target.parent])


def _fill(template: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
