"""Fixtures shared by every test; the Docker ones (engine, graph, images built once) are lazy."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import pytest

from buildtool.build import BuildOptions, build_targets
from buildtool.engine import find_ca_bundle
from buildtool.graph import Graph, build_graph
from buildtool.matrix import Matrix, load_matrix
from buildtool.results import summary_table
from buildtool.sources import choose_source
from buildtool.status import QuietReporter
from buildtool.tags import BuildInfo, primary_ref

PROJECT_DIR = Path(__file__).resolve().parent.parent
MATRIX_PATH = PROJECT_DIR / "matrix.yaml"
DOCKER_TEST_DIRS = (PROJECT_DIR / "tests" / "docker", PROJECT_DIR / "tests" / "hub")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/docker and tests/hub needs Docker: mark it so `-m "not docker"` skips it."""
    for item in items:
        if any(directory in Path(str(item.fspath)).parents for directory in DOCKER_TEST_DIRS):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def matrix() -> Matrix:
    return load_matrix(MATRIX_PATH)


def graph_under_test() -> Graph:
    """The graph the Docker tests run on: BUILDTOOL_MATRIX / BUILDTOOL_STACKS (set by `buildtool test`)."""
    matrix = load_matrix(Path(os.environ.get("BUILDTOOL_MATRIX", MATRIX_PATH)))
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
        build_dir=PROJECT_DIR / "build", ca_bundle=find_ca_bundle(None), keep_going=False, force=frozenset(),
        info=BuildInfo.detect(PROJECT_DIR),
    )

    def build(name: str) -> str:
        if name not in done:
            target = graph.targets[name]
            results = build_targets(graph, graph.with_ancestors([target]), options, QuietReporter())
            if not all(r.ok for r in results):
                pytest.fail(f"building {name} failed:\n{summary_table(results)}\n"
                            + "\n".join(r.detail for r in results if r.detail), pytrace=False)
            done[name] = primary_ref(graph.matrix, target)
        return done[name]

    return build


