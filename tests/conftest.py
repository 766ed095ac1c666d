"""Fixtures shared by every test; the Docker ones (engine, graph, images built once) are lazy."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import pytest
from _pytest.mark.expression import Expression
from filelock import FileLock

from buildtool import emulation
from buildtool.build import BuildOptions, build_targets
from buildtool.buildinfo import BuildInfo
from buildtool.engine import find_ca_bundle
from buildtool.graph import Graph, build_graph
from buildtool.layout import BuildDir
from buildtool.matrix import Matrix, load_matrix
from buildtool.results import summary_table
from buildtool.sources import choose_source
from buildtool.status import QuietReporter
from buildtool.tags import primary_ref

PROJECT_DIR = Path(__file__).resolve().parent.parent
MATRIX_PATH = PROJECT_DIR / "matrix.yaml"
HUB_TEST_DIR = PROJECT_DIR / "tests" / "hub"
DOCKER_TEST_DIRS = (PROJECT_DIR / "tests" / "docker", HUB_TEST_DIR)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups and `-m` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/docker and tests/hub needs Docker: mark it so `-m "not docker"` skips it. When
    BUILDTOOL_TARGETS names targets (`python -m buildtool test`), the hub's tests run only if the hub is one.
    A hub test module that starts a deployment of its own sets HUB_GROUP (a name): its tests run on one worker,
    beside the shared hub's."""
    for item in items:
        if any(directory in Path(str(item.fspath)).parents for directory in DOCKER_TEST_DIRS):
            item.add_marker(pytest.mark.docker)
        if HUB_TEST_DIR in Path(str(item.fspath)).parents:
            # One worker per hub: the tests of the shared compose hub (`hub`) in one group, each module that runs
            # a deployment of its own (HUB_GROUP) in another, so that different hubs are tested at once.
            item.add_marker(pytest.mark.xdist_group(getattr(item.module, "HUB_GROUP", "hub")))
        elif any(directory in Path(str(item.fspath)).parents for directory in DOCKER_TEST_DIRS):
            # One worker per module and image, so that containers a module shares are started once.
            image = getattr(getattr(item, "callspec", None), "params", {}).get("image_name", "")
            item.add_marker(pytest.mark.xdist_group(f"{Path(str(item.fspath)).stem}:{image}"))
    selected = {name for name in os.environ.get("BUILDTOOL_TARGETS", "").split(",") if name}
    if selected and _matrix_under_test().hub.name not in selected:
        hub_tests = [item for item in items if HUB_TEST_DIR in Path(str(item.fspath)).parents]
        if hub_tests:
            config.hook.pytest_deselected(items=hub_tests)
            items[:] = [item for item in items if item not in hub_tests]


def pytest_sessionstart(session: pytest.Session) -> None:
    if _checks_leftovers(session.config):  # the controlling process, once, before any worker starts
        session.config.stash[_CONTAINERS_BEFORE] = _containers()
        if docker_tests_selected(session.config):
            session.config.stash[_ADDR_GEN_MODE_BEFORE] = _quiet_host_addresses()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Neither a build nor a test may leave a container behind, stopped or failed ones included. Checked once,
    by the process that started the others (workers finish while their peers still run containers)."""
    if not _checks_leftovers(session.config):
        return
    previous = session.config.stash.get(_ADDR_GEN_MODE_BEFORE, None)
    if previous is not None:
        ADDR_GEN_MODE.write_text(previous)
    before = session.config.stash.get(_CONTAINERS_BEFORE, None)
    after = _containers()
    if before is None or after is None:
        return  # no engine: nothing could have been left
    left = sorted(description for name, description in after.items() if name not in before)
    if left:
        session.config.get_terminal_writer().line(
            f"ERROR: the tests left {len(left)} container(s) behind: {', '.join(left)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _checks_leftovers(config: pytest.Config) -> bool:
    """Workers leave the check to their controller; a collect-only session starts nothing, and may run nested
    inside a test session whose containers are not its own."""
    return not _is_worker(config) and not config.option.collectonly


_CONTAINERS_BEFORE = pytest.StashKey["dict[str, str] | None"]()
_ADDR_GEN_MODE_BEFORE = pytest.StashKey["str | None"]()

# Chromium cancels every request in flight when an address of the host changes (net::ERR_NETWORK_CHANGED), and
# each container start and stop adds and removes one: the IPv6 link-local address of the host's end of its veth.
# While the tests run, interfaces made on the host get no such address (IPv6 stays on; containers keep theirs,
# made in their own namespace), so a page a test reads is no longer cut off by another test's container. Root
# only; the previous value is put back when the session ends. Networks made or removed (a bridge with an IPv4
# address) still change addresses: the browser helpers reload a page cancelled that way (tests/docker/browser.py).
ADDR_GEN_MODE = Path("/proc/sys/net/ipv6/conf/default/addr_gen_mode")
NO_LINK_LOCAL = "1"


def _quiet_host_addresses() -> str | None:
    """Set new host interfaces to get no IPv6 link-local address; returns the value to put back (None: unchanged,
    e.g. not root, or in a container, where /proc/sys is read-only)."""
    try:
        previous = ADDR_GEN_MODE.read_text().strip()
        ADDR_GEN_MODE.write_text(NO_LINK_LOCAL)
    except OSError:
        return None
    return previous


def docker_tests_selected(config: pytest.Config) -> bool:
    """Whether `-m` keeps the Docker tests: with `-m "not docker"` they are neither parametrized nor run, so
    collecting the unit tests never touches the network."""
    expression = config.getoption("markexpr") or ""
    return not expression or Expression.compile(expression).evaluate(lambda name, **_: name == "docker")


def _containers() -> dict[str, str] | None:
    """Every container on the engine, by name, described with its state and image; None when no engine answers."""
    try:
        result = subprocess.run(["docker", "ps", "--all", "--format", "{{.Names}}\t{{.State}}\t{{.Image}}"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    found = {}
    for line in result.stdout.splitlines():
        name, state, image = line.split("\t")
        found[name] = f"{name} ({state}, {image})"
    return found


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # set by pytest-xdist in its workers


def _matrix_under_test(line: str | None = None, platform: str | None = None) -> Matrix:
    """The matrix the Docker tests run on (BUILDTOOL_MATRIX), for `line` or else BUILDTOOL_LINE, else the default
    JupyterHub line; for `platform`, else BUILDTOOL_PLATFORM, else this machine's."""
    return load_matrix(Path(os.environ.get("BUILDTOOL_MATRIX", MATRIX_PATH)), line or os.environ.get("BUILDTOOL_LINE"),
                       platform or os.environ.get("BUILDTOOL_PLATFORM"))


@pytest.fixture(scope="session")
def matrix() -> Matrix:
    return load_matrix(MATRIX_PATH)


def graph_under_test(line: str | None = None, platform: str | None = None) -> Graph:
    """The graph the Docker tests run on: BUILDTOOL_MATRIX / BUILDTOOL_STACKS / BUILDTOOL_LINE (set by
    `buildtool test`), or another JupyterHub `line` or `platform` of that matrix."""
    matrix = _matrix_under_test(line, platform)
    return build_graph(matrix, choose_source(matrix, os.environ.get("BUILDTOOL_STACKS", "auto")).source)


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    """The engine; without one the Docker tests fail under CI (a green run must mean they ran) and skip elsewhere."""
    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except docker.errors.DockerException as exc:
        message = f"Docker is unusable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: Docker tests must run)", pytrace=False)
        pytest.skip(message)
    return client


@pytest.fixture(scope="session")
def graph(docker_client: docker.DockerClient) -> Graph:
    return graph_under_test()


@pytest.fixture(scope="session")
def build_on_line(graph: Graph) -> Callable[..., str]:
    """Build a target (and its ancestors) of a JupyterHub line (None: the line under test), for a platform (None:
    this machine's; another under emulation), once per session, reusing up-to-date images; returns its reference.
    One worker builds at a time, the others wait."""
    done: dict[tuple[str, str, str], str] = {}
    graphs = {(graph.matrix.line, graph.matrix.platform): graph}
    info = BuildInfo.detect(PROJECT_DIR)
    (PROJECT_DIR / "build").mkdir(exist_ok=True)

    def build(line: str | None, name: str, platform: str | None = None) -> str:
        wanted = (line or graph.matrix.line, platform or graph.matrix.platform)
        line_graph = graphs.setdefault(wanted, graph_under_test(line, platform))
        key = (*wanted, name)
        if key not in done:
            target = line_graph.targets[name]
            options = BuildOptions(
                build_dir=BuildDir(PROJECT_DIR / "build").for_line(line_graph.matrix),
                ca_bundle=find_ca_bundle(None), keep_going=False, force=frozenset(), info=info,
            )
            if line_graph.matrix.foreign_platform:
                try:
                    emulation.ensure(line_graph.matrix.platform)
                except emulation.EmulationUnavailable as error:
                    pytest.fail(f"building {name} for {line_graph.matrix.platform}: {error}", pytrace=False)
            with FileLock(PROJECT_DIR / "build" / "test-builds.lock"):
                results = build_targets(line_graph, line_graph.with_ancestors([target]), options, QuietReporter())
            if not all(r.ok for r in results):
                pytest.fail(f"building {name} (JupyterHub {key[0]}, {key[1]}) failed:\n{summary_table(results)}\n"
                            + "\n".join(r.detail for r in results if r.detail), pytrace=False)
            done[key] = primary_ref(line_graph.matrix, target)
        return done[key]

    return build


@pytest.fixture(scope="session")
def build_image(build_on_line: Callable[[str | None, str], str]) -> Callable[[str], str]:
    """Build a target of the line under test (and its ancestors) once per session; returns its reference."""
    return lambda name: build_on_line(None, name)


