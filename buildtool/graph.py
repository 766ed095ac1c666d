"""The build graph for one source (local or upstream): targets, their parents, and build order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from buildtool.errors import UsageError
from buildtool.matrix import Matrix, Source

Kind = Literal["root", "stack", "image", "hub"]


@dataclass(frozen=True)
class Target:
    """One image of the graph. An `external` target is pulled as is, never built."""

    name: str
    kind: Kind
    parent: str | None
    external: str | None
    frameworks: tuple[str, ...]  # the layers this target adds (images only)
    description: str

    @property
    def built(self) -> bool:
        return self.external is None


@dataclass(frozen=True)
class Graph:
    matrix: Matrix
    source: Source
    targets: Mapping[str, Target]  # every target, parents before children

    def chain(self, name: str) -> list[Target]:
        """The target and its ancestors, nearest first."""
        chain = [self.targets[name]]
        while chain[-1].parent is not None:
            chain.append(self.targets[chain[-1].parent])
        return chain

    def frameworks(self, name: str) -> tuple[str, ...]:
        """Every framework in an image, inherited ones first."""
        return tuple(fw for target in reversed(self.chain(name)) for fw in target.frameworks)

    def stack_of(self, name: str) -> Target | None:
        """The stack at the bottom of a target's chain (None for the root and the hub on it)."""
        return next((t for t in self.chain(name) if t.kind == "stack"), None)

    def select(self, names: Sequence[str]) -> list[Target]:
        """Targets named on the command line (or `all`), in build order; built targets only."""
        if not names or "all" in names:
            return [t for t in self.targets.values() if t.built]
        unknown = [n for n in names if n not in self.targets]
        if unknown:
            known = ", ".join(t.name for t in self.targets.values() if t.built)
            raise UsageError(f"unknown target {', '.join(unknown)} (known: {known}, or all)")
        wanted = set(names)
        return [t for t in self.targets.values() if t.name in wanted and t.built]

    def with_ancestors(self, targets: Iterable[Target]) -> list[Target]:
        """The targets plus every built ancestor, in build order: what `build` has to consider."""
        wanted = {a.name for t in targets for a in self.chain(t.name) if a.built}
        return [t for t in self.targets.values() if t.name in wanted]


def build_graph(matrix: Matrix, source_name: str) -> Graph:
    """Targets of the matrix for `source_name`; with `upstream`, the root and stacks are external."""
    source = matrix.sources[source_name]
    upstream = source_name == "upstream"
    unordered: dict[str, Target] = {
        matrix.root.name: Target(
            matrix.root.name, "root", None, matrix.root.upstream if upstream else None, (), "Debian root filesystem"
        )
    }
    for stack in matrix.stacks.values():
        unordered[stack.name] = Target(
            stack.name, "stack", stack.parent, stack.upstream if upstream else None, (),
            f"Jupyter Docker Stacks {stack.name}" + (" (upstream)" if upstream else " (local equivalent)"),
        )
    unordered[matrix.hub.name] = Target(matrix.hub.name, "hub", matrix.hub.parent, None, (), matrix.hub.description)
    for image in matrix.images.values():
        unordered[image.name] = Target(image.name, "image", image.parent, None, image.frameworks, image.description)
    return Graph(matrix, source, MappingProxyType(_parents_first(unordered)))


def _parents_first(targets: Mapping[str, Target]) -> dict[str, Target]:
    """Order targets so each comes after its parent, otherwise keeping the matrix's order."""
    ordered: dict[str, Target] = {}

    def visit(target: Target) -> None:
        if target.name in ordered:
            return
        if target.parent is not None:
            visit(targets[target.parent])
        ordered[target.name] = target

    for target in targets.values():
        visit(target)
    return ordered
