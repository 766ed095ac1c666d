"""Command line: parse arguments, call the modules, print results. No build logic of its own."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from buildtool import emulation, engine
from buildtool.bake import bake_definition
from buildtool.build import BuildOptions, run_build
from buildtool.buildinfo import BuildInfo
from buildtool.errors import EXIT_FAILURE, EXIT_USAGE, BuildToolError, MatrixError, UsageError
from buildtool.graph import Graph, Target, build_graph
from buildtool.layout import BuildDir
from buildtool.machine import JOBS_ENV, Machine, choose_jobs
from buildtool.matrix import load_matrix
from buildtool.platforms import KNOWN as KNOWN_PLATFORMS
from buildtool.platforms import native as native_platform
from buildtool.render import render_all
from buildtool.results import Result
from buildtool.sources import choose_source
from buildtool.tags import all_refs, primary_ref
from buildtool.workflow import WORKFLOW_PATH, workflow_yaml

LOGGER = logging.getLogger("buildtool")
STACK_CHOICES = ("auto", "local", "upstream")
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command stopped by SIGPIPE

DESCRIPTION = """\
Build, test and publish the ContainDS Dashboards images (singleuser images for DockerSpawner and the
JupyterHub image) described by one matrix.yaml.

Targets are the root image, the Jupyter Docker Stacks bases, the singleuser images and the hub. TARGETS
may name any of them, or `all`; parents are always built first.
"""

EPILOG = """\
examples:
  python -m buildtool list                       targets, parents and tags
  python -m buildtool build all                  build everything not already up to date
  python -m buildtool build IMAGE                build one image (a name from `list`) and what it needs
  python -m buildtool render all                 write Dockerfiles to build/contexts/ only
  python -m buildtool --stacks upstream plan all build order on the upstream Jupyter Docker Stacks
  python -m buildtool test IMAGE -- -x           run one image's Docker tests, passing -x to pytest

exit status: 0 success, 1 a build, test or push failed, 2 bad input (matrix, arguments, environment).
"""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:  # everything after `--` goes to pytest (`test`)
        argv, passthrough = argv[: argv.index("--")], argv[argv.index("--") + 1:]
    args = parser.parse_args(argv)
    args.pytest_args = passthrough
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        status = int(args.handler(args))
        sys.stdout.flush()  # here, so that a closed pipe is noticed inside this try
        return status
    except BrokenPipeError:
        # The reader went away (`list | head`): nothing more to say, and nothing to say it on.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except MatrixError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BuildToolError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m buildtool", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--matrix", type=Path, default=Path("matrix.yaml"), metavar="PATH",
                        help="the matrix file (default: ./matrix.yaml)")
    parser.add_argument("--stacks", choices=STACK_CHOICES,
                        default=os.environ.get("BUILDTOOL_STACKS", "auto"),
                        help="where the root and Jupyter Docker Stacks bases come from: pulled from their registry "
                             "(upstream), built here from Debian packages (local), or upstream when its registry "
                             "answers, else local (auto, the default; env BUILDTOOL_STACKS)")
    parser.add_argument("--line", default=os.environ.get("BUILDTOOL_LINE") or None, metavar="VERSION",
                        help="the JupyterHub line to work on: a version from the matrix's `lines`, or all "
                             "(default: the first, the default line; env BUILDTOOL_LINE)")
    parser.add_argument("--platform", default=os.environ.get("BUILDTOOL_PLATFORM") or None, metavar="OS/ARCH",
                        help="the platforms to work on: comma-separated names from the matrix's `platforms`, or all "
                             "(default: this machine's own; another is built under emulation; env BUILDTOOL_PLATFORM)")
    parser.add_argument("--build-dir", type=Path, default=Path("build"), metavar="DIR",
                        help="where rendered contexts and logs go (default: ./build, git-ignored)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is being done")
    parser.add_argument("--debug", action="store_true", help="log every command run; tracebacks on errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, handler: object, help_text: str, targets: bool = True,
                json_output: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        # Also accepted after the command (`build --stacks local ...`); the global option is the default.
        sub.add_argument("--stacks", choices=STACK_CHOICES, default=argparse.SUPPRESS, help="as the global --stacks")
        sub.add_argument("--line", default=argparse.SUPPRESS, metavar="VERSION", help="as the global --line")
        sub.add_argument("--platform", default=argparse.SUPPRESS, metavar="OS/ARCH", help="as the global --platform")
        if targets:
            sub.add_argument("targets", nargs="*", metavar="TARGET", help="target names, or all (the default)")
        if json_output:
            sub.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
        return sub

    command("list", _list, "list targets with their kind, parent and tags", targets=False, json_output=True)
    command("ref", _ref, "print the reference each TARGET is known by (its first tag), one a line: for scripts, "
                         "e.g. CDS_HUB_IMAGE=$(python -m buildtool ref containds-hub)")
    command("plan", _plan, "show the build order for TARGETS (their ancestors included)", json_output=True)
    command("render", _render, "write each target's Dockerfile and build context into BUILD_DIR/contexts/")
    build = command("build", _build, "render, then build TARGETS parents first, skipping up-to-date images",
                    json_output=True)
    build.add_argument("--keep-going", "-k", action="store_true",
                       help="after a failure, still build the targets that do not depend on it")
    build.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help=f"build up to N independent targets at once (default: ${JOBS_ENV}, else min(cores, "
                            "memory in GiB // 4), at least 1); each logs to BUILD_DIR/logs/")
    build.add_argument("--force", action="store_true",
                       help="rebuild the named targets even when up to date (not their ancestors; BuildKit's cache "
                            "still applies; the root image is remade only by `bootstrap --force`)")
    build.add_argument("--ca-cert", type=Path, metavar="FILE",
                       help="CA bundle for package downloads inside builds, passed as a BuildKit secret (default: "
                            "$PIP_CERT, $REQUESTS_CA_BUNDLE or $SSL_CERT_FILE when set)")
    bootstrap = command("bootstrap", _bootstrap, "make the Debian root image from Debian's packages (needs root "
                        "and debootstrap; no registry needed)", targets=False)
    bootstrap.add_argument("--force", action="store_true", help="remake it even when it is up to date")
    command("test", _test, "run the Docker tests (pytest) of TARGETS, building what is missing first; "
                           "arguments after -- go to pytest")
    bake = command("bake", _bake, "write docker-bake.json: the graph for `docker buildx bake` (renders first)",
                   targets=False)
    bake.add_argument("--print", action="store_true", dest="print_only", help="print it instead of writing it")
    bake.add_argument("--output", type=Path, metavar="FILE", help="where to write it (default: docker-bake.json "
                      "next to the matrix)")
    workflow = command("workflow", _workflow, "write the GitHub Actions workflow that builds, tests and pushes "
                       "every image, jobs ordered by the parent chain", targets=False)
    workflow.add_argument("--print", action="store_true", dest="print_only", help="print it instead of writing it")
    push = command("push", _push, "push every tag of TARGETS to the registry, then each image's SBOM beside it",
                   json_output=True)
    push.add_argument("--registry", metavar="HOST[:PORT]", help="push there instead of the matrix's registry")
    push.add_argument("--keep-going", "-k", action="store_true", help="after a failed push, push the others")
    push.add_argument("--platform-tags", action="store_true",
                      help="only each platform's own tags (x86_64-..., aarch64-...), even this machine's: its part of "
                           "a release whose platforms are built on machines of their own; `merge` then makes the "
                           "plain tags")
    merge = command("merge", _merge, "make each plain tag of TARGETS the multi-platform index of the platforms' own "
                    "tags in the registry (after `push --platform-tags` on a machine of each platform)",
                    json_output=True)
    merge.add_argument("--registry", metavar="HOST[:PORT]", help="the registry instead of the matrix's")
    return parser


def _graph(args: argparse.Namespace, platform: str | None = None) -> Graph:
    """The graph of one line (the one --line names, not `all`, else the default line) for one platform (this
    machine's unless given)."""
    matrix = load_matrix(args.matrix, None if args.line in (None, "all") else args.line, platform)
    choice = choose_source(matrix, args.stacks)
    print(f"stacks: {choice.source} ({choice.reason})", file=sys.stderr)
    return build_graph(matrix, choice.source)


def _graphs(args: argparse.Namespace) -> list[Graph]:
    """The graph of each line --line selects (`all`: every line, the default first), for each platform
    --platform selects (this machine's first)."""
    platforms = _platforms(args)
    first = _graph(args, platforms[0])
    lines = [first.matrix.line] if args.line != "all" else list(first.matrix.lines)
    wanted = [(line, platform) for line in lines for platform in platforms][1:]
    return [first, *(build_graph(load_matrix(args.matrix, line, platform), first.source.name)
                     for line, platform in wanted)]


def _emulate(graph: Graph) -> None:
    """A foreign platform's builds need its programs to run here: make it so, or stop with the reason."""
    if graph.matrix.foreign_platform:
        print(f"emulation: {emulation.ensure(graph.matrix.platform)}", file=sys.stderr)


def _platforms(args: argparse.Namespace) -> list[str]:
    """The platforms --platform names (`all`: the matrix's), this machine's first when it is one of them; a
    foreign one is made runnable here first (emulation.py) or refused in one line."""
    if args.platform is None:
        return [native_platform()]
    published = load_matrix(args.matrix).platforms if args.platform == "all" else ()
    names = list(published) or [name.strip() for name in args.platform.split(",") if name.strip()]
    unknown = [name for name in names if name not in KNOWN_PLATFORMS]
    if unknown or not names:
        raise UsageError(f"--platform {args.platform}: comma-separated platforms ({', '.join(KNOWN_PLATFORMS)}) "
                         "or all expected")
    return sorted(dict.fromkeys(names), key=lambda name: name != native_platform())


def _build_dir(args: argparse.Namespace, graph: Graph) -> BuildDir:
    return BuildDir(args.build_dir).for_line(graph.matrix)


def _ref(args: argparse.Namespace) -> int:
    for graph in _graphs(args):
        for target in graph.select(args.targets):
            print(primary_ref(graph.matrix, target))
    return 0


def _list(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for graph in _graphs(args):
        info = BuildInfo.detect(graph.matrix.project_dir)
        rows += [
            {
                "name": t.name,
                "line": graph.matrix.line,
                "platform": graph.matrix.platform,
                "kind": t.kind,
                "parent": t.parent,
                "built": t.built,
                "reference": primary_ref(graph.matrix, t),
                "tags": list(all_refs(graph, t, info)) if t.built else [t.external],
                "frameworks": list(graph.frameworks(t.name)),
            }
            for t in graph.targets.values()
        ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows)
    heading = None
    for row in rows:
        if (row["line"], row["platform"]) != heading:
            heading = (row["line"], row["platform"])
            print(f"JupyterHub {row['line']}, {row['platform']}:")
        parent = row["parent"] or "-"
        origin = "" if row["built"] else " (pulled)"
        print(f"  {row['name']:<{width}}  {row['kind']:<5}  from {parent}{origin}")
        for tag in row["tags"]:
            print(f"  {'':<{width}}    {tag}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    plans = [(graph, graph.with_ancestors(graph.select(args.targets))) for graph in _graphs(args)]
    if args.json:
        print(json.dumps([{"name": t.name, "line": graph.matrix.line, "platform": graph.matrix.platform,
                           "parent": t.parent, "kind": t.kind} for graph, order in plans for t in order], indent=2))
        return 0
    for graph, order in plans:
        print(f"JupyterHub {graph.matrix.line}, {graph.matrix.platform}:")
        for index, target in enumerate(order, start=1):
            print(f"{index:>3}. {target.name} (from {_parent_label(graph, target)})")
    return 0


def _render(args: argparse.Namespace) -> int:
    for graph in _graphs(args):
        targets = graph.with_ancestors(graph.select(args.targets))
        for item in render_all(graph, targets, _build_dir(args, graph).contexts).values():
            print(item.context / "Dockerfile")
    return 0


def _build(args: argparse.Namespace) -> int:
    jobs = choose_jobs(args.jobs, os.environ, Machine.detect())
    graphs = _graphs(args)
    print(f"jobs: {jobs.count} ({jobs.reason})", file=sys.stderr)
    results: list[tuple[Graph, Result]] = []
    for graph in graphs:  # before anything is built: a platform that cannot be built here stops the run now
        _emulate(graph)
    for graph in graphs:  # one line after the other: a later line reuses what an earlier one built
        selected = graph.select(args.targets)
        # --force makes the named images again; the root only by `bootstrap --force` (a new root invalidates
        # every cache above it).
        forced = frozenset(t.name for t in selected if t.production == "dockerfile") if args.force else frozenset()
        options = BuildOptions(_build_dir(args, graph), engine.find_ca_bundle(args.ca_cert), args.keep_going,
                               forced, BuildInfo.detect(graph.matrix.project_dir))
        if len(graphs) > 1:
            print(f"JupyterHub {graph.matrix.line}, {graph.matrix.platform}:", file=sys.stderr)
        line_results = run_build(graph, graph.with_ancestors(selected), options, jobs.count)
        results += [(graph, result) for result in line_results]
        if not args.keep_going and not all(r.ok for r in line_results):
            break
    return _report(results, args.json)


def _report(results: list[tuple[Graph, Result]], as_json: bool) -> int:
    if as_json:
        print(json.dumps([{**result.__dict__, "line": graph.matrix.line, "platform": graph.matrix.platform}
                          for graph, result in results], indent=2))
    return 0 if all(result.ok for _, result in results) else EXIT_FAILURE


def _bootstrap(args: argparse.Namespace) -> int:
    by_platform: dict[str, Graph] = {}
    for graph in _graphs(args):  # the root is the same on every line: one per platform
        by_platform.setdefault(graph.matrix.platform, graph)
    graphs = list(by_platform.values())
    for graph in graphs:
        _emulate(graph)
    results = []
    for graph in graphs:
        root = graph.targets[graph.matrix.root.name]
        if not root.built:
            raise UsageError(f"with --stacks {graph.source.name} the root is pulled ({root.external}); use --stacks "
                             "local")
        options = BuildOptions(_build_dir(args, graph), None, False, frozenset([root.name] if args.force else []),
                               BuildInfo.detect(graph.matrix.project_dir))
        results += [(graph, r) for r in run_build(graph, [root], options)]
    return _report(results, False)


def _test(args: argparse.Namespace) -> int:
    status = 0
    for graph in _graphs(args):
        names = [t.name for t in graph.select(args.targets)]
        # Every Docker test; each suite selects itself by the targets named (tests/docker/conftest.py and
        # tests/conftest.py read BUILDTOOL_TARGETS) and tests the line BUILDTOOL_LINE names.
        command = [sys.executable, "-m", "pytest", "-m", "docker", "tests", *args.pytest_args]
        env = {**os.environ, "BUILDTOOL_TARGETS": ",".join(names), "BUILDTOOL_STACKS": graph.source.name,
               "BUILDTOOL_MATRIX": str(args.matrix.resolve()), "BUILDTOOL_LINE": graph.matrix.line,
               "BUILDTOOL_PLATFORM": graph.matrix.platform}
        print(f"testing {', '.join(names)} on JupyterHub {graph.matrix.line}, {graph.matrix.platform}: "
              f"{' '.join(command)}", file=sys.stderr)
        status = status or subprocess.call(command, cwd=graph.matrix.project_dir, env=env)
    return status


def _bake(args: argparse.Namespace) -> int:
    graph = _graph(args)  # the default line unless --line names another
    contexts = _build_dir(args, graph).contexts
    rendered = render_all(graph, graph.select(["all"]), contexts)
    project = graph.matrix.project_dir
    relative = os.path.relpath(contexts.resolve(), project)
    # The platforms --platform names (this machine's by default: buildx's default builder builds one at a time).
    text = json.dumps(bake_definition(graph, rendered, relative, _platforms(args)), indent=2) + "\n"
    return _emit(text, args.output or project / "docker-bake.json", args.print_only)


def _workflow(args: argparse.Namespace) -> int:
    graph = _graph(args)
    return _emit(workflow_yaml(graph), graph.matrix.project_dir / WORKFLOW_PATH, args.print_only)


def _emit(text: str, path: Path, print_only: bool) -> int:
    if print_only:
        sys.stdout.write(text)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _push(args: argparse.Namespace) -> int:
    from buildtool.push import push_platforms, push_targets  # imported here: only push needs it

    results = []
    by_line: dict[str, list[Graph]] = {}
    for graph in _graphs(args):
        by_line.setdefault(graph.matrix.line, []).append(graph)
    for graphs in by_line.values():
        info = BuildInfo.detect(graphs[0].matrix.project_dir)
        if len(graphs) == 1 and not args.platform_tags:  # one platform: its own tags (this machine's: the plain)
            graph = graphs[0]
            results += push_targets(graph, graph.select(args.targets), info, args.registry, _build_dir(args, graph),
                                    args.keep_going, _progress)
        else:  # each platform under its prefixed tags, then (unless --platform-tags) the plain tags as their index
            results += push_platforms([(graph, _build_dir(args, graph)) for graph in graphs], args.targets, info,
                                      args.registry, args.keep_going, _progress, merge=not args.platform_tags)
        if not args.keep_going and not all(r.ok for r in results):
            break
    if args.json:
        print(json.dumps([r.__dict__ for r in results], indent=2))
    return 0 if all(r.ok for r in results) else EXIT_FAILURE


def _merge(args: argparse.Namespace) -> int:
    from buildtool.push import merge_platforms  # imported here: only merge needs it

    results = []
    for graph in _graphs(args):
        if graph.matrix.foreign_platform:
            continue  # one index per line names every platform
        info = BuildInfo.detect(graph.matrix.project_dir)
        results += merge_platforms(graph, graph.select(args.targets), info, args.registry, _progress)
    if args.json:
        print(json.dumps([r.__dict__ for r in results], indent=2))
    return 0 if all(r.ok for r in results) else EXIT_FAILURE


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _parent_label(graph: Graph, target: Target) -> str:
    if target.parent is None:
        return "Debian packages, by debootstrap"
    parent = graph.targets[target.parent]
    return parent.name if parent.built else f"{parent.external}, pulled"
