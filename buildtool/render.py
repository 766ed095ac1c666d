"""Render each target's Dockerfile (Jinja2, strict) and build context into the build directory."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from buildtool.errors import UsageError
from buildtool.graph import Graph, Target
from buildtool.matrix import MANAGERS, Packages
from buildtool.tags import parent_ref, primary_ref

TEMPLATE = "Dockerfile.j2"
FINGERPRINT_VERSION = "1"  # bump when the way targets are built changes without their files changing


@dataclass(frozen=True)
class Rendered:
    """A target's build context on disk and the fingerprint of everything that goes into its image."""

    target: Target
    context: Path
    fingerprint: str


def template_dir(graph: Graph, target: Target) -> Path:
    """Where a target's Dockerfile.j2 lives: images/<template>/ for a stack, images/layers/ for every
    singleuser image, hub/image/ for the hub."""
    images = graph.matrix.project_dir / "images"
    if target.kind == "stack":
        return images / graph.matrix.stacks[target.name].template
    if target.kind == "image":
        return images / "layers"
    if target.kind == "hub":
        return graph.matrix.project_dir / "hub" / "image"
    raise ValueError(f"{target.name} is made by bootstrap, not rendered")


def context_files(graph: Graph, target: Target) -> dict[str, Path]:
    """Files a target's build context holds besides its Dockerfile, by their path in the context. A singleuser
    image gets only the files of the frameworks it adds (images/layers/<framework>/ as layers/<framework>/),
    so a change to one framework's files rebuilds just the images containing it."""
    if target.kind == "image":
        sources = {f"layers/{fw}": graph.matrix.project_dir / "images" / "layers" / fw for fw in target.frameworks}
    else:
        sources = {".": template_dir(graph, target)}
    if target.kind == "hub":
        sources["patches"] = graph.matrix.project_dir / "hub" / "patches"
    files = {}
    for prefix, directory in sources.items():
        for path in sorted(directory.rglob("*")) if directory.is_dir() else []:
            if path.is_file() and path.name != TEMPLATE and "__pycache__" not in path.parts:
                files[(Path(prefix) / path.relative_to(directory)).as_posix()] = path
    return files


def render_all(
    graph: Graph, targets: list[Target], build_dir: Path, bytecode_dir: Path | None = None
) -> dict[str, Rendered]:
    """Render `targets` (parents first, as given by the graph); returns them by name. Templates compiled once
    are kept in `bytecode_dir`, if given (Jinja checks each against its source)."""
    env = _environment(graph.matrix.project_dir, bytecode_dir)
    rendered: dict[str, Rendered] = {}
    for target in targets:
        if target.kind == "root":
            continue
        rendered[target.name] = render_target(graph, target, build_dir, env, rendered)
    return rendered


def render_target(
    graph: Graph, target: Target, build_dir: Path, env: jinja2.Environment, done: Mapping[str, Rendered]
) -> Rendered:
    source = template_dir(graph, target)
    context = build_dir / target.name
    if context.exists():
        shutil.rmtree(context)  # no stale files from an earlier render
    context.mkdir(parents=True)
    values = template_values(graph, target)
    for relative_path, path in context_files(graph, target).items():
        dest = context / relative_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".j2":  # a context file rendered like the Dockerfile (e.g. the hub's defaults)
            dest = dest.with_suffix("")
            dest.write_text(_render(env, graph, path, values), encoding="utf-8")
        else:
            shutil.copyfile(path, dest)
        dest.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    (context / "Dockerfile").write_text(_tidy(_render(env, graph, source / TEMPLATE, values)), encoding="utf-8")
    parent = done.get(target.parent or "")
    upstream = parent.fingerprint if parent else (parent_ref(graph, target) or "")
    return Rendered(target, context, _fingerprint(context, upstream))


def _render(env: jinja2.Environment, graph: Graph, path: Path, values: Mapping[str, object]) -> str:
    relative = path.relative_to(graph.matrix.project_dir).as_posix()
    try:
        return env.get_template(relative).render(values, template_path=relative)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"{exc.filename or relative}:{exc.lineno}: template syntax: {exc.message}") from None
    except jinja2.TemplateError as exc:  # a missing template, an undefined value
        raise UsageError(f"{relative}: rendering failed: {exc.message}") from None


def template_values(graph: Graph, target: Target) -> dict[str, object]:
    """Everything a template may use. Frameworks never see the stack's name, only its package managers."""
    matrix = graph.matrix
    managers = graph.source.managers
    if target.kind == "stack":
        packages = matrix.stacks[target.name].packages
    elif target.kind == "hub":
        packages, managers = matrix.hub.packages, MANAGERS  # the hub's own Debian + venv, whatever the stacks
    else:
        packages = _merge(matrix.frameworks[name].packages for name in target.frameworks)
    hub = matrix.hub
    return {
        "target": target,
        "parent_ref": parent_ref(graph, target),
        "singleuser_image": primary_ref(matrix, graph.targets[hub.singleuser_image]),
        "presentation_cmd": list(hub.presentation_cmd),
        "launchers": {fw.presentation_type: fw.launcher.as_config() for fw in matrix.frameworks.values()
                      if fw.presentation_type and fw.launcher.as_config()},
        "versions": matrix.versions,
        "managers": managers,
        "packages": {m: list(packages[m]) for m in MANAGERS if m in packages and m in managers},
        "frameworks": list(target.frameworks),
        "all_frameworks": list(graph.frameworks(target.name)),
    }


def _merge(package_sets: Iterable[Packages]) -> Packages:
    merged: dict[str, list[str]] = {}
    for packages in package_sets:
        for manager, specs in packages.items():
            bucket = merged.setdefault(manager, [])
            bucket.extend(spec for spec in specs if spec not in bucket)
    return {manager: tuple(specs) for manager, specs in merged.items()}


def _tidy(dockerfile: str) -> str:
    """At most one blank line in a row, one newline at the end: templates stay readable, output too."""
    return re.sub(r"\n{3,}", "\n\n", dockerfile).strip("\n") + "\n"


def _environment(project_dir: Path, bytecode_dir: Path | None) -> jinja2.Environment:
    cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(project_dir),
        bytecode_cache=cache,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Dockerfiles, not HTML
    )


def _fingerprint(context: Path, parent: str) -> str:
    digest = hashlib.sha256(f"buildtool-fingerprint/{FINGERPRINT_VERSION}\nparent {parent}\n".encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        mode = "x" if path.stat().st_mode & 0o111 else "-"
        digest.update(f"{path.relative_to(context).as_posix()} {mode}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]
