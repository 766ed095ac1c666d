"""The build graph for one source (local or upstream): targets, their parents, and build order.

`build_graph` is the one place that knows what each kind of target (root, stack, image, hub) means: it
resolves, once per target, everything the later steps need (how it is produced, its template and build-context
files, what it installs, its tag templates), so that render, build, tags, bake, workflow and manifest read the
target instead of deciding again by kind.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from graphlib import TopologicalSorter
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from buildtool.errors import UsageError
from buildtool.matrix import LINE_KEY, MANAGERS, Matrix, Packages, Source

Kind = Literal["root", "stack", "image", "hub"]
Production = Literal["pull", "bootstrap", "dockerfile"]
BAKE_GROUPS = ("stacks", "images", "hub")  # docker-bake.json's groups besides `default`, in file order
HUB_WHEELS_STAGE = "wheels"  # the hub Dockerfile's stage holding nothing but its wheels


@dataclass(frozen=True)
class Target:
    """One image of the graph, with what building it takes."""

    name: str
    kind: Kind
    parent: str | None
    external: str | None  # the reference pulled as is (an upstream root or stack), never built
    frameworks: tuple[str, ...]  # the layers this target adds (singleuser images only)
    description: str
    tag_templates: tuple[str, ...]  # its kind's tag policy, then the tags of every framework it contains
    template_dir: Path | None  # where its Dockerfile.j2 is; None when it is not made from a Dockerfile
    context_dirs: Mapping[str, Path]  # directories copied into its build context, by their path there
    layer_templates: tuple[Path, ...]  # the steps of the frameworks it adds, in order (singleuser images)
    packages: Packages  # what its template installs, for each package manager it may use
    bake_group: str  # the docker-bake.json group it belongs to
    has_python: bool  # its image runs python3 (the manifest probe, image-known tags)
    # Files its Dockerfile makes besides the image: a build stage's whole filesystem, by stage name, written to
    # that directory of the build directory (the hub's wheels).
    artifacts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def built(self) -> bool:
        return self.external is None

    @property
    def production(self) -> Production:
        if self.external is not None:
            return "pull"
        return "bootstrap" if self.template_dir is None else "dockerfile"


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
    tags = matrix.tags
    unordered: dict[str, Target] = {}
    root = matrix.root
    unordered[root.name] = Target(
        root.name, "root", None, root.upstream if upstream else None, (), "Debian root filesystem",
        tag_templates=tags.root, template_dir=None, context_dirs={}, layer_templates=(),
        packages=MappingProxyType({}), bake_group="root", has_python=False,
    )
    for stack in matrix.stacks.values():
        unordered[stack.name] = Target(
            stack.name, "stack", stack.parent, stack.upstream if upstream else None, (),
            f"Jupyter Docker Stacks {stack.name}" + (" (upstream)" if upstream else " (local equivalent)"),
            tag_templates=tags.stacks, template_dir=stack.template, context_dirs={".": stack.template},
            layer_templates=(), packages=_usable(stack.packages, source.managers), bake_group="stacks",
            has_python=True,
        )
    hub = matrix.hub
    unordered[hub.name] = Target(
        hub.name, "hub", hub.parent, None, (), hub.description,
        tag_templates=tags.hub, template_dir=hub.template, context_dirs={".": hub.template, **hub.context},
        layer_templates=(),
        packages=_usable(hub.packages, MANAGERS),  # the hub's own Debian and venv, whatever the stacks use
        bake_group="hub", has_python=True,
        artifacts=MappingProxyType({HUB_WHEELS_STAGE: "wheels"} if hub.patched else {}),
    )
    for image in matrix.images.values():
        adds = [matrix.frameworks[name] for name in image.frameworks]
        unordered[image.name] = Target(
            image.name, "image", image.parent, None, image.frameworks, image.description,
            tag_templates=tags.images,  # the frameworks' tags are added once the chain is known, below
            template_dir=matrix.layers,
            # Only the files of the frameworks it adds: a change to one framework rebuilds just the images with it.
            context_dirs={f"layers/{fw.name}": fw.files for fw in adds},
            layer_templates=tuple(fw.template for fw in adds if fw.template is not None),
            packages=_usable(_merge(fw.packages for fw in adds), source.managers), bake_group="images",
            has_python=True,
        )
    ordered = _parents_first(unordered)
    contained: dict[str, tuple[str, ...]] = {}  # every framework in each target, inherited ones first
    for name, target in ordered.items():
        contained[name] = (contained[target.parent] if target.parent else ()) + target.frameworks
        framework_tags = tuple(tag for fw in contained[name] for tag in matrix.frameworks[fw].tags)
        tag_templates = _line_tags(matrix, target.tag_templates + framework_tags)
        ordered[name] = replace(target, tag_templates=tag_templates)
    return Graph(matrix, source, MappingProxyType(ordered))


def _line_tags(matrix: Matrix, templates: tuple[str, ...]) -> tuple[str, ...]:
    """Tags of a target in the matrix's line: on a line other than the default, only those naming its JupyterHub
    (the others are the default line's). A target whose tags never name it (the root) is the same on every line."""
    line_tags = tuple(t for t in templates if "{" + LINE_KEY + "}" in t)
    return templates if matrix.default_line or not line_tags else line_tags


def _usable(packages: Packages, managers: Sequence[str]) -> Packages:
    """The package lists of the managers available, in install order."""
    return MappingProxyType({m: packages[m] for m in MANAGERS if m in packages and m in managers})


def _merge(package_sets: Iterable[Packages]) -> Packages:
    merged: dict[str, list[str]] = {}
    for packages in package_sets:
        for manager, specs in packages.items():
            bucket = merged.setdefault(manager, [])
            bucket.extend(spec for spec in specs if spec not in bucket)
    return {manager: tuple(specs) for manager, specs in merged.items()}


def _parents_first(targets: Mapping[str, Target]) -> dict[str, Target]:
    """Order targets so each comes after its parent, otherwise keeping the matrix's order: next comes the first
    target, in the matrix's order, whose parent is already placed."""
    names = list(targets)
    sorter = TopologicalSorter({name: [t.parent] if t.parent else [] for name, t in targets.items()})
    sorter.prepare()  # no cycle: the matrix refused them
    position = {name: i for i, name in enumerate(names)}
    ready: list[int] = []  # a heap of positions
    ordered: dict[str, Target] = {}
    while sorter.is_active():
        for name in sorter.get_ready():
            heapq.heappush(ready, position[name])
        name = names[heapq.heappop(ready)]
        ordered[name] = targets[name]
        sorter.done(name)
    return ordered
