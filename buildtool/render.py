"""Render each target's Dockerfile (Jinja2, strict) and build context into the build directory."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from buildtool.errors import UsageError
from buildtool.fingerprint import context_fingerprint
from buildtool.graph import Graph, Target
from buildtool.schema import TEMPLATE
from buildtool.tags import parent_ref, primary_ref


@dataclass(frozen=True)
class Rendered:
    """A target's build context on disk and the fingerprint of everything that goes into its image."""

    target: Target
    context: Path
    fingerprint: str


def context_files(target: Target) -> dict[str, Path]:
    """Files a target's build context holds besides its Dockerfile, by their path in the context."""
    files = {}
    for prefix, directory in target.context_dirs.items():
        for path in sorted(directory.rglob("*")) if directory.is_dir() else []:
            if path.is_file() and path.name != TEMPLATE and "__pycache__" not in path.parts:
                files[(Path(prefix) / path.relative_to(directory)).as_posix()] = path
    return files


def render_all(
    graph: Graph, targets: list[Target], contexts_dir: Path, bytecode_dir: Path | None = None
) -> dict[str, Rendered]:
    """Render the targets made from a Dockerfile (parents first, as given by the graph); returns them by name.
    Templates compiled once are kept in `bytecode_dir`, if given (Jinja checks each against its source)."""
    env = _environment(graph.matrix.project_dir, bytecode_dir)
    rendered: dict[str, Rendered] = {}
    for target in targets:
        if target.production == "dockerfile":
            rendered[target.name] = render_target(graph, target, contexts_dir, env, rendered)
    return rendered


def render_target(
    graph: Graph, target: Target, contexts_dir: Path, env: jinja2.Environment, done: Mapping[str, Rendered]
) -> Rendered:
    if target.template_dir is None:
        raise ValueError(f"{target.name} is not made from a Dockerfile")
    context = contexts_dir / target.name
    if context.exists():
        shutil.rmtree(context)  # no stale files from an earlier render
    context.mkdir(parents=True)
    values = template_values(graph, target)
    for relative_path, path in context_files(target).items():
        dest = context / relative_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".j2":  # a context file rendered like the Dockerfile (e.g. the hub's defaults)
            dest = dest.with_suffix("")
            dest.write_text(_render(env, graph, path, values), encoding="utf-8")
        else:
            shutil.copyfile(path, dest)
        dest.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    dockerfile = _render(env, graph, target.template_dir / TEMPLATE, values)
    (context / "Dockerfile").write_text(_tidy(dockerfile), encoding="utf-8")
    parent = done.get(target.parent or "")
    upstream = parent.fingerprint if parent else (parent_ref(graph, target) or "")
    return Rendered(target, context, context_fingerprint(context, upstream))


def _render(env: jinja2.Environment, graph: Graph, path: Path, values: Mapping[str, object]) -> str:
    relative = _relative(graph, path)
    try:
        return env.get_template(relative).render(values, template_path=relative)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"{exc.filename or relative}:{exc.lineno}: template syntax: {exc.message}") from None
    except jinja2.TemplateError as exc:  # a missing template, an undefined value
        raise UsageError(f"{relative}: rendering failed: {exc.message}") from None


def template_values(graph: Graph, target: Target) -> dict[str, object]:
    """Everything a template may use. Frameworks never see the stack's name, only its package managers."""
    matrix = graph.matrix
    hub = matrix.hub
    return {
        "target": target,
        "parent_ref": parent_ref(graph, target),
        "singleuser_image": primary_ref(matrix, graph.targets[hub.singleuser_image]),
        "presentation_cmd": list(hub.presentation_cmd),
        "launchers": {fw.presentation_type: fw.launcher.as_config() for fw in matrix.frameworks.values()
                      if fw.presentation_type and fw.launcher.as_config()},
        "versions": matrix.versions,
        "patched": [dataclasses.asdict(package) for package in hub.patched],
        "local_label": hub.local_label,
        "packages": {manager: list(specs) for manager, specs in target.packages.items()},
        "frameworks": list(target.frameworks),
        "all_frameworks": list(graph.frameworks(target.name)),
        "layer_templates": [_relative(graph, path) for path in target.layer_templates],
    }


def _relative(graph: Graph, path: Path) -> str:
    """A template's name for the loader (rooted at the project directory), as the golden headers show it."""
    return path.relative_to(graph.matrix.project_dir).as_posix()


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
