"""The matrix model: load matrix.yaml, validate all of it, and return frozen dataclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from types import MappingProxyType
from typing import Any

from buildtool import installed
from buildtool.errors import MatrixError, Problem, UsageError
from buildtool.platforms import KNOWN as KNOWN_PLATFORMS
from buildtool.platforms import native as native_platform
from buildtool.schema import MISSING, PLACEHOLDER, Reader
from buildtool.yamlsrc import load_yaml

MANAGERS = ("apt", "conda", "pip")  # every manager a framework may use, in install order
SOURCES = ("local", "upstream")
DYNAMIC_TAG_VALUES = ("git_sha", "build_date", "python")  # known only at build time (python: from the image)
LOCAL_LABEL = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)*")  # PEP 440 local version label
RELATIVE_PATH = re.compile(r"(?!\.\.?(/|$))[A-Za-z0-9_.-]+(/(?!\.\.?(/|$))[A-Za-z0-9_.-]+)*")  # no . or ..
LINE_KEY = "jupyterhub"  # a line is named by its JupyterHub version; tags naming it tell the lines apart
TARGET_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
REGISTRY = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]+)?")
URL = re.compile(r"https?://[^\s]+")
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
IMAGE_REF = re.compile(r"[a-z0-9.-]+(?::[0-9]+)?/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")

Packages = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Source:
    """Where the root and the stacks come from: built here (`local`) or pulled (`upstream`)."""

    name: str
    managers: tuple[str, ...]
    registry: str | None


@dataclass(frozen=True)
class Root:
    """The Debian root every local target descends from."""

    name: str
    suite: str
    variant: str
    upstream: str


@dataclass(frozen=True)
class Stack:
    """A Jupyter Docker Stacks image, or its local equivalent built from images/<template>/."""

    name: str
    parent: str
    upstream: str
    provides: frozenset[str]
    packages: Packages
    template: Path  # the directory holding its local Dockerfile.j2 and the files of its build context


@dataclass(frozen=True)
class Launcher:
    """Overrides merged over cdsdashboards' built-in launcher, in c.VariableMixin.extra_presentation_launchers
    form: jhsingle-native-proxy's arguments and the server's environment."""

    args: tuple[str, ...] | None = None
    env: Mapping[str, str] | None = None

    def as_config(self) -> dict[str, object]:
        config: dict[str, object] = {}
        if self.args is not None:
            config["args"] = list(self.args)
        if self.env is not None:
            config["env"] = dict(self.env)
        return config


@dataclass(frozen=True)
class Framework:
    """A framework layer: what it installs per package manager, what it needs below it, and for a dashboard
    framework its cdsdashboards presentation type and launcher overrides."""

    name: str
    requires: frozenset[str]
    packages: Packages
    presentation_type: str | None
    launcher: Launcher
    tags: tuple[str, ...]  # added to every image with it; they read installed versions (installed.py)
    template: Path | None  # its steps in the singleuser images' Dockerfile (<layers>/<name>.j2), if any
    files: Path  # <layers>/<name>/: files its steps copy into the image (the directory may not exist)


@dataclass(frozen=True)
class Image:
    """A singleuser image: a stack or another image plus framework layers."""

    name: str
    parent: str
    frameworks: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class PatchedPackage:
    """A third-party package the hub runs with patches: its released source, patched, built as a wheel."""

    name: str  # its distribution name on PyPI
    version: str  # the released version the patches apply to
    version_file: str  # the file of its source that states the version, rewritten to the local version


@dataclass(frozen=True)
class Hub:
    name: str
    parent: str
    description: str
    packages: Packages
    singleuser_image: str  # the image the hub spawns unless configured otherwise
    presentation_cmd: tuple[str, ...]  # how the hub starts a dashboard; the singleuser images provide it
    template: Path  # the directory holding its Dockerfile.j2 and build-context files
    context: Mapping[str, Path]  # more directories for its build context, by their path there
    patched: tuple[PatchedPackage, ...]  # built as wheels from their sources plus the hub's patches
    local_label: str  # the local version label of those wheels: <version>+<label>


@dataclass(frozen=True)
class TagPolicy:
    """Tag templates per kind of target; the first of each list is the static, primary tag."""

    root: tuple[str, ...]
    stacks: tuple[str, ...]
    images: tuple[str, ...]
    hub: tuple[str, ...]


@dataclass(frozen=True)
class Matrix:
    path: Path
    registry: str
    owner: str
    source: str
    versions: Mapping[str, str]
    tags: TagPolicy
    sources: Mapping[str, Source]
    root: Root
    stacks: Mapping[str, Stack]
    frameworks: Mapping[str, Framework]
    images: Mapping[str, Image]
    hub: Hub
    layers: Path  # the singleuser images' Dockerfile.j2, next to each framework's template and files
    lines: tuple[str, ...]  # the JupyterHub lines built, by their JupyterHub version; the first is the default
    line: str  # the line this matrix was loaded for: its versions are in `versions`
    platforms: tuple[str, ...] = (native_platform(),)  # the platforms published, as one multi-platform tag each
    platform: str = native_platform()  # the platform this matrix was loaded for

    @property
    def foreign_platform(self) -> bool:
        """Whether its images are for another platform than this machine's (built under emulation, their local
        tags prefixed: platforms.tag_prefix)."""
        return self.platform != native_platform()

    @property
    def project_dir(self) -> Path:
        return self.path.resolve().parent

    @property
    def default_line(self) -> bool:
        """Whether this is the default line, the one `build all` builds and the plain release tags name."""
        return self.line == self.lines[0]


OPTIONAL_KEYS = ("platforms",)
TOP_KEYS = (
    "registry", "owner", "source", "versions", "lines", "tags", "sources", "root", "stacks", "layers", "frameworks",
    "images", "hub",
)


def load_matrix(path: Path, line: str | None = None, platform: str | None = None) -> Matrix:
    """Parse and validate `path` for one JupyterHub line (the default when None) and one platform (this
    machine's when None); raise MatrixError listing every problem found, UsageError for a line or platform the
    matrix does not have."""
    data, lines = load_yaml(path)
    reader = Reader(str(path), lines)
    if data is None:
        raise MatrixError([Problem(str(path), "", "a mapping with keys " + ", ".join(TOP_KEYS) + " expected, "
                                   "the document is empty")])
    if not isinstance(data, dict):
        raise MatrixError([Problem(str(path), "", f"a mapping at the top level expected, got {type(data).__name__}",
                                   1)])
    reader.mapping(data, "", required=TOP_KEYS, optional=OPTIONAL_KEYS)
    matrix = _build(reader, data, path, line)
    published = _platforms(reader, data.get("platforms", MISSING))
    if reader.problems:
        raise MatrixError(reader.problems)
    chosen = platform or native_platform()
    if chosen not in published:
        which = "this machine's platform " if platform is None else ""
        raise UsageError(f"{which}{chosen} is not in {path}'s platforms ({', '.join(published)})")
    return replace(matrix, platforms=published, platform=chosen)


def _platforms(r: Reader, value: Any) -> tuple[str, ...]:
    """The platforms published; without the key, this machine's alone."""
    if value is MISSING:
        return (native_platform(),)
    found = r.string_list(value, "platforms", allow_empty=False)
    for i, name in enumerate(found):
        if name and name not in KNOWN_PLATFORMS:
            r.problem(f"platforms[{i}]", f"one of {', '.join(KNOWN_PLATFORMS)} expected, got {name!r}")
    return found


def _build(r: Reader, data: dict[str, Any], path: Path, line: str | None) -> Matrix:
    registry = r.string(data.get("registry", MISSING), "registry", REGISTRY, "a registry host[:port]")
    owner = r.string(data.get("owner", MISSING), "owner", TARGET_NAME, "a lower-case repository owner")
    common = _versions(r, data.get("versions", MISSING))
    lines = _lines(r, data.get("lines", MISSING), common)
    names = tuple(entry[LINE_KEY] for entry in lines)
    if line is not None and names and line not in names:
        raise UsageError(f"no JupyterHub line {line} in {path} (lines: {', '.join(names)}, or all)")
    chosen = line if line is not None else (names[0] if names else "")
    versions = {**common, **next((entry for entry in lines if entry[LINE_KEY] == chosen), {})}
    base = path.resolve().parent  # relative paths in the matrix start from its directory
    root = _root(r, data.get("root", MISSING), versions)
    stacks = {
        name: _stack(r, name, spec, versions, base)
        for name, spec in r.named_mappings(data.get("stacks", MISSING), "stacks").items()
    }
    layers = r.template_dir(data.get("layers", MISSING), "layers", base)
    frameworks = {
        name: _framework(r, name, spec, versions, layers)
        for name, spec in r.named_mappings(data.get("frameworks", MISSING), "frameworks").items()
    }
    images = {
        name: _image(r, name, spec)
        for name, spec in r.named_mappings(data.get("images", MISSING), "images").items()
    }
    hub = _hub(r, data.get("hub", MISSING), versions, base)
    _check_names(r, root, stacks, images, hub)
    _check_references(r, root, stacks, frameworks, images, hub)
    _check_requirements(r, stacks, frameworks, images)
    return Matrix(
        path=path,
        registry=registry,
        owner=owner,
        source=r.string(data.get("source", MISSING), "source", URL, "an https:// URL of this project's source"),
        versions=MappingProxyType(versions),
        tags=_tags(r, data.get("tags", MISSING), versions),
        sources=MappingProxyType(_sources(r, data.get("sources", MISSING))),
        root=root,
        stacks=MappingProxyType(stacks),
        frameworks=MappingProxyType(frameworks),
        images=MappingProxyType(images),
        hub=hub,
        layers=layers,
        lines=names,
        line=chosen,
    )


def _versions(r: Reader, value: Any) -> dict[str, str]:
    versions = {str(k): r.string(v, f"versions.{k}") for k, v in r.named_mappings(value, "versions").items()}
    for name in DYNAMIC_TAG_VALUES:
        if name in versions:
            r.problem(f"versions.{name}", f"{name} is filled in at build time; choose another name")
    for name in versions:
        if installed.PACKAGE_PLACEHOLDER.fullmatch(name):
            r.problem(f"versions.{name}", f"{{{name}}} reads an installed package's version; choose another name")
    return versions


def _lines(r: Reader, value: Any, common: Mapping[str, str]) -> list[dict[str, str]]:
    """The lines' version sets: each names the same keys, `jupyterhub` among them, none of them in `versions`
    (every version is written in one place)."""
    if value is MISSING:
        return []
    if not isinstance(value, list) or not value:
        r.problem("lines", f"a non-empty list of version mappings expected, each with {LINE_KEY}")
        return []
    lines: list[dict[str, str]] = []
    for i, entry in enumerate(value):
        path = f"lines[{i}]"
        spec = r.mapping(entry, path, required=(LINE_KEY,))
        versions = {str(key): r.string(version, f"{path}.{key}") for key, version in spec.items()}
        if lines and set(versions) != set(lines[0]):
            r.problem(path, f"the keys of lines[0] expected ({', '.join(sorted(lines[0]))}), "
                            f"got {', '.join(sorted(versions))}")
        if versions.get(LINE_KEY, "") in {seen[LINE_KEY] for seen in lines}:
            r.problem(f"{path}.{LINE_KEY}", f"{versions[LINE_KEY]} is already a line")
        if LINE_KEY in versions:
            lines.append(versions)
    for key in sorted(set(lines[0]) & set(common) if lines else ()):
        r.problem(f"versions.{key}", f"no {key} expected: each of `lines` sets it (one place for every version)")
    return lines


def _tags(r: Reader, value: Any, versions: Mapping[str, str]) -> TagPolicy:
    spec = r.mapping(value, "tags", required=("root", "stacks", "images", "hub"))
    if not spec:
        return TagPolicy((), (), (), ())  # already reported
    kinds: dict[str, tuple[str, ...]] = {}
    for kind in ("root", "stacks", "images", "hub"):
        templates = _tag_list(r, spec.get(kind, MISSING), f"tags.{kind}", versions, allow_empty=False)
        if templates and set(PLACEHOLDER.findall(templates[0])) & set(DYNAMIC_TAG_VALUES):
            r.problem(f"tags.{kind}[0]", "the primary (first) tag must use pinned versions only, not "
                                         + " or ".join("{" + d + "}" for d in DYNAMIC_TAG_VALUES))
        kinds[kind] = templates
    return TagPolicy(**kinds)


def _tag_list(r: Reader, value: Any, path: str, versions: Mapping[str, str], allow_empty: bool) -> tuple[str, ...]:
    """Tag templates: placeholders must be versions or build-time values; the result a valid Docker tag."""
    sample = {**versions, **{name: "x1" for name in DYNAMIC_TAG_VALUES}}
    templates = r.string_list(value, path, allow_empty=allow_empty)
    for i, template in enumerate(templates):
        where = f"{path}[{i}]"
        _check_tag(r, where, template, r.substitute(template, where, sample))
    return templates


def _framework_tags(r: Reader, value: Any, path: str, packages: Packages) -> tuple[str, ...]:
    """A framework's tags say what the built image has, never what the matrix pins (apt, say, installs whatever
    version its suite has): each placeholder reads the installed version of a package the framework installs,
    `{python:NAME}` or `{r:NAME}` (installed.py). The manifest fills them in after the build."""
    names = installed.installed_names(packages, MANAGERS)
    readable = [installed.placeholder(kind, name) for kind in installed.KINDS for name in names[kind]]
    choices = ", ".join("{" + name + "}" for name in readable) or "none, it installs no Python or R package"
    templates = r.string_list(value, path)
    for i, template in enumerate(templates):
        where = f"{path}[{i}]"
        for name in PLACEHOLDER.findall(template):
            if name not in readable:
                r.problem(where, f"unknown placeholder {{{name}}}: a framework's tags read installed versions from "
                                 f"the image, of the packages it installs ({choices})")
        _check_tag(r, where, template, PLACEHOLDER.sub("x1", template))
    return templates


def _check_tag(r: Reader, where: str, template: str, tag: str) -> None:
    """`tag`, the template filled with sample values, must be a valid Docker tag."""
    if PLACEHOLDER.search(tag):
        return  # already reported as an unknown placeholder
    if not TAG.fullmatch(tag):
        r.problem(where, f"a valid Docker tag expected ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}), "
                         f"{template!r} gives {tag!r}")


def _sources(r: Reader, value: Any) -> dict[str, Source]:
    spec = r.mapping(value, "sources", required=SOURCES)
    sources: dict[str, Source] = {}
    for name in SOURCES:
        if name not in spec:
            continue  # already reported
        entry = r.mapping(spec[name], f"sources.{name}", required=("managers",), optional=("registry",))
        managers = r.string_list(entry.get("managers", []), f"sources.{name}.managers", allow_empty=False)
        for i, manager in enumerate(managers):
            if manager and manager not in MANAGERS:
                r.problem(f"sources.{name}.managers[{i}]", f"one of {', '.join(MANAGERS)} expected, got {manager!r}")
        registry = entry.get("registry")
        if registry is not None:
            registry = r.string(registry, f"sources.{name}.registry", REGISTRY, "a registry host[:port]")
        sources[name] = Source(name, managers, registry)
    return sources


def _root(r: Reader, value: Any, versions: Mapping[str, str]) -> Root:
    spec = r.mapping(value, "root", required=("name", "suite", "variant", "upstream"))
    return Root(
        name=r.string(spec.get("name", MISSING), "root.name", TARGET_NAME, "a lower-case image name"),
        suite=r.string(r.substitute(spec.get("suite", MISSING), "root.suite", versions), "root.suite"),
        variant=r.string(spec.get("variant", MISSING), "root.variant"),
        upstream=r.string(spec.get("upstream", MISSING), "root.upstream", IMAGE_REF, "registry/repository:tag"),
    )


def _stack(r: Reader, name: str, value: Any, versions: Mapping[str, str], base: Path) -> Stack:
    path = f"stacks.{name}"
    spec = r.mapping(value, path, required=("parent", "upstream", "provides", "template"), optional=("packages",))
    return Stack(
        name=name,
        parent=r.string(spec.get("parent", MISSING), f"{path}.parent"),
        upstream=r.string(r.substitute(spec.get("upstream", MISSING), f"{path}.upstream", versions),
                          f"{path}.upstream", IMAGE_REF, "registry/repository:tag"),
        provides=frozenset(r.string_list(spec.get("provides", MISSING), f"{path}.provides")),
        packages=_packages(r, spec.get("packages", {}), f"{path}.packages", versions),
        template=r.template_dir(spec.get("template", MISSING), f"{path}.template", base),
    )


def _framework(r: Reader, name: str, value: Any, versions: Mapping[str, str], layers: Path) -> Framework:
    path = f"frameworks.{name}"
    spec = r.mapping(value, path, required=("packages",),
                     optional=("requires", "presentation_type", "launcher", "tags", "template"))
    r.string(name, path, TARGET_NAME, "a lower-case framework name")
    presentation_type = spec.get("presentation_type")
    if presentation_type is not None:
        presentation_type = r.string(presentation_type, f"{path}.presentation_type", TARGET_NAME,
                                     "a cdsdashboards presentation type")
    if "launcher" in spec and presentation_type is None:
        r.problem(f"{path}.launcher", "a launcher needs presentation_type (the launcher it overrides)")
    packages = _packages(r, spec.get("packages", MISSING), f"{path}.packages", versions)
    return Framework(
        name=name,
        requires=frozenset(r.string_list(spec.get("requires", []), f"{path}.requires")),
        packages=packages,
        presentation_type=presentation_type,
        launcher=_launcher(r, spec.get("launcher", {}), f"{path}.launcher"),
        tags=_framework_tags(r, spec.get("tags", []), f"{path}.tags", packages),
        template=r.existing(spec["template"], f"{path}.template", layers, "file") if "template" in spec else None,
        files=layers / name,
    )


def _launcher(r: Reader, value: Any, path: str) -> Launcher:
    spec = r.mapping(value, path, optional=("args", "env"))
    env = None
    if "env" in spec:
        raw_env = r.mapping(spec["env"], f"{path}.env")
        env = MappingProxyType({str(k): r.string(v, f"{path}.env.{k}") for k, v in raw_env.items()})
    args = r.string_list(spec["args"], f"{path}.args", allow_empty=False) if "args" in spec else None
    return Launcher(args=args, env=env)


def _packages(r: Reader, value: Any, path: str, versions: Mapping[str, str]) -> Packages:
    spec = r.mapping(value, path, optional=MANAGERS)
    packages = {}
    for manager in MANAGERS:
        if manager in spec:
            where = f"{path}.{manager}"
            items = r.string_list(spec[manager], where, allow_empty=False)
            packages[manager] = tuple(r.substitute(item, f"{where}[{i}]", versions) for i, item in enumerate(items))
    return MappingProxyType(packages)


def _image(r: Reader, name: str, value: Any) -> Image:
    path = f"images.{name}"
    spec = r.mapping(value, path, required=("from", "frameworks"), optional=("description",))
    return Image(
        name=name,
        parent=r.string(spec.get("from", MISSING), f"{path}.from"),
        frameworks=r.string_list(spec.get("frameworks", MISSING), f"{path}.frameworks", allow_empty=False),
        description=r.string(spec.get("description", name), f"{path}.description"),
    )


def _hub(r: Reader, value: Any, versions: Mapping[str, str], base: Path) -> Hub:
    spec = r.mapping(value, "hub",
                     required=("name", "from", "packages", "singleuser_image", "presentation_cmd", "template"),
                     optional=("description", "context", "patched"))
    context = {str(where): r.existing(directory, f"hub.context.{where}", base, "directory")
               for where, directory in r.mapping(spec.get("context", {}), "hub.context").items()}
    name = r.string(spec.get("name", MISSING), "hub.name")
    return Hub(
        name=name,
        parent=r.string(spec.get("from", MISSING), "hub.from"),
        description=r.string(spec.get("description", name), "hub.description"),
        packages=_packages(r, spec.get("packages", MISSING), "hub.packages", versions),
        singleuser_image=r.string(spec.get("singleuser_image", MISSING), "hub.singleuser_image"),
        presentation_cmd=r.string_list(spec.get("presentation_cmd", MISSING), "hub.presentation_cmd",
                                       allow_empty=False),
        template=r.template_dir(spec.get("template", MISSING), "hub.template", base),
        context=MappingProxyType(context),
        **_patched(r, spec["patched"], versions) if "patched" in spec else {"patched": (), "local_label": ""},
    )


def _patched(r: Reader, value: Any, versions: Mapping[str, str]) -> dict[str, Any]:
    spec = r.mapping(value, "hub.patched", required=("label", "packages"))
    label = r.string(spec.get("label", MISSING), "hub.patched.label", LOCAL_LABEL,
                     "a local version label such as containds.1")
    packages = []
    for name, item in r.named_mappings(spec.get("packages", MISSING), "hub.patched.packages").items():
        where = f"hub.patched.packages.{name}"
        entry = r.mapping(item, where, required=("version", "version_file"))
        packages.append(PatchedPackage(
            name=name,
            version=r.substitute(r.string(entry.get("version", MISSING), f"{where}.version"), f"{where}.version",
                                 versions),
            version_file=r.string(entry.get("version_file", MISSING), f"{where}.version_file", RELATIVE_PATH,
                                  "a path inside the package's source"),
        ))
    return {"patched": tuple(packages), "local_label": label}


def _check_names(r: Reader, root: Root, stacks: Mapping[str, Stack], images: Mapping[str, Image], hub: Hub) -> None:
    seen: dict[str, str] = {root.name: "root.name"}
    named = [(f"stacks.{n}", n) for n in stacks] + [(f"images.{n}", n) for n in images] + [("hub.name", hub.name)]
    for path, name in named:
        if name and not TARGET_NAME.fullmatch(name):
            r.problem(path, f"a lower-case name of letters, digits and . _ - expected, got {name!r}")
        if name in seen:
            r.problem(path, f"target name {name!r} is already used by {seen[name]}")
        seen.setdefault(name, path)


def _check_references(
    r: Reader,
    root: Root,
    stacks: Mapping[str, Stack],
    frameworks: Mapping[str, Framework],
    images: Mapping[str, Image],
    hub: Hub,
) -> None:
    below_stacks = {root.name: root, **stacks}
    for stack in stacks.values():
        r.name_ref(stack.parent, f"stacks.{stack.name}.parent", below_stacks, "root or stacks")
    r.name_ref(hub.parent, "hub.from", below_stacks, "root or stacks")
    r.name_ref(hub.singleuser_image, "hub.singleuser_image", images, "images")
    for image in images.values():
        r.name_ref(image.parent, f"images.{image.name}.from", {**stacks, **images}, "stacks or images")
        for i, framework in enumerate(image.frameworks):
            r.name_ref(framework, f"images.{image.name}.frameworks[{i}]", frameworks, "frameworks")
    _check_cycles(r, {s.name: s.parent for s in stacks.values()}, "stacks", "parent")
    _check_cycles(r, {i.name: i.parent for i in images.values()}, "images", "from")


def _check_cycles(r: Reader, parents: Mapping[str, str], section: str, key: str) -> None:
    """Report each cycle of parent links once, at the `key` of one of its members."""
    remaining = dict(parents)
    while True:
        try:
            TopologicalSorter({name: [parent] for name, parent in remaining.items()}).prepare()
            return
        except CycleError as exc:
            cycle = list(reversed(exc.args[1]))  # graphlib lists parents before children: read it child -> parent
            r.problem(f"{section}.{cycle[0]}.{key}", "no cycle expected, found " + " -> ".join(cycle))
            for name in cycle:  # then look for another one
                remaining.pop(name, None)


def _check_requirements(
    r: Reader, stacks: Mapping[str, Stack], frameworks: Mapping[str, Framework], images: Mapping[str, Image]
) -> None:
    """Each framework's `requires` must be provided by the stack at the bottom of the image's chain."""
    for image in images.values():
        stack_name, seen = image.parent, {image.name}
        while stack_name in images and stack_name not in seen:
            seen.add(stack_name)
            stack_name = images[stack_name].parent
        stack = stacks.get(stack_name)
        if stack is None:
            continue  # a bad reference or a cycle, reported elsewhere
        for i, name in enumerate(image.frameworks):
            framework = frameworks.get(name)
            missing = sorted(framework.requires - stack.provides) if framework else []
            if missing:
                r.problem(f"images.{image.name}.frameworks[{i}]",
                          f"{name} requires {', '.join(missing)}, which stack {stack.name} does not provide")
