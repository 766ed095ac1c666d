"""Fixtures shared by every test; the Docker ones (engine, graph, images built once) are lazy."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import pytest
from filelock import FileLock

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
    BUILDTOOL_TARGETS names targets (`python -m buildtool test`), the hub's tests run only if the hub is one."""
    for item in items:
        if any(directory in Path(str(item.fspath)).parents for directory in DOCKER_TEST_DIRS):
            item.add_marker(pytest.mark.docker)
        if HUB_TEST_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("hub"))  # one worker runs them all, on one hub
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
    if not _is_worker(session.config):
        session.config.stash[_CONTAINERS_BEFORE] = _containers()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Neither a build nor a test may leave a container behind, stopped or failed ones included. Checked once,
    by the process that started the others (workers finish while their peers still run containers)."""
    if _is_worker(session.config):
        return
    before = session.config.stash.get(_CONTAINERS_BEFORE, None)
    after = _containers()
    if before is None or after is None:
        return  # no engine: nothing could have been left
    left = sorted(description for name, description in after.items() if name not in before)
    if left:
        session.config.get_terminal_writer().line(
            f"ERROR: the tests left {len(left)} container(s) behind: {', '.join(left)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CONTAINERS_BEFORE = pytest.StashKey["dict[str, str] | None"]()


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


def _matrix_under_test() -> Matrix:
    return load_matrix(Path(os.environ.get("BUILDTOOL_MATRIX", MATRIX_PATH)))


@pytest.fixture(scope="session")
def matrix() -> Matrix:
    return load_matrix(MATRIX_PATH)


def graph_under_test() -> Graph:
    """The graph the Docker tests run on: BUILDTOOL_MATRIX / BUILDTOOL_STACKS (set by `buildtool test`)."""
    matrix = _matrix_under_test()
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
def build_image(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Build a target (and its ancestors) once per session, reusing up-to-date images; returns its reference."""
    done: dict[str, str] = {}
    options = BuildOptions(
        build_dir=BuildDir(PROJECT_DIR / "build"), ca_bundle=find_ca_bundle(None), keep_going=False, force=frozenset(),
        info=BuildInfo.detect(PROJECT_DIR),
    )

    (PROJECT_DIR / "build").mkdir(exist_ok=True)

    def build(name: str) -> str:
        if name not in done:
            target = graph.targets[name]
            with FileLock(PROJECT_DIR / "build" / "test-builds.lock"):  # one worker builds, the others wait
                results = build_targets(graph, graph.with_ancestors([target]), options, QuietReporter())
            if not all(r.ok for r in results):
                pytest.fail(f"building {name} failed:\n{summary_table(results)}\n"
                            + "\n".join(r.detail for r in results if r.detail), pytrace=False)
            done[name] = primary_ref(graph.matrix, target)
        return done[name]

    return build


