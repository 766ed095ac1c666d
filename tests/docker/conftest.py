"""Docker test plumbing: engine check (fail under CI, skip elsewhere), images built once, tracked containers.

Which images a test module runs on is derived from matrix.yaml, never listed here: a module sets
APPLIES_TO (a target that must be in the image's parent chain, e.g. "foundation") and/or PROVIDES (a
capability the image's stack provides, e.g. "r"). BUILDTOOL_TARGETS (set by `python -m buildtool test`)
narrows the selection to the named targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from buildtool.build import BuildOptions, build_targets, summary_table
from buildtool.engine import find_ca_bundle
from buildtool.graph import Graph, build_graph
from buildtool.matrix import load_matrix
from buildtool.sources import choose_source
from buildtool.tags import BuildInfo, primary_ref
from tests.conftest import MATRIX_PATH, PROJECT_DIR
from tests.docker.containers import TrackedContainer

DOCKER_DIR = Path(__file__).parent


def _graph() -> Graph:
    matrix = load_matrix(Path(os.environ.get("BUILDTOOL_MATRIX", MATRIX_PATH)))
    return build_graph(matrix, choose_source(matrix, os.environ.get("BUILDTOOL_STACKS", "auto")).source)


GRAPH = _graph()


def targets_for(applies_to: str | None, provides: str | None) -> list[str]:
    """Built targets whose chain contains `applies_to` and whose stack provides `provides`."""
    selected = {n for n in os.environ.get("BUILDTOOL_TARGETS", "").split(",") if n}
    names = []
    for target in GRAPH.targets.values():
        chain = [t.name for t in GRAPH.chain(target.name)]
        stack = GRAPH.stack_of(target.name)
        if not target.built or (selected and target.name not in selected):
            continue
        if applies_to is not None and applies_to not in chain:
            continue
        if provides is not None and (stack is None or provides not in GRAPH.matrix.stacks[stack.name].provides):
            continue
        names.append(target.name)
    return names


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DOCKER_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.docker)


def dashboards_for(names: list[str]) -> list[tuple[str, str]]:
    """(image, framework) for every dashboard framework (one with a presentation type) each image has."""
    frameworks = GRAPH.matrix.frameworks
    return [(name, fw) for name in names for fw in GRAPH.frameworks(name) if frameworks[fw].presentation_type]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module
    names = targets_for(getattr(module, "APPLIES_TO", None), getattr(module, "PROVIDES", None))
    if "framework_name" in metafunc.fixturenames:
        pairs = dashboards_for(names)
        metafunc.parametrize(("image_name", "framework_name"), pairs, scope="module",
                             ids=[f"{image}-{fw}" for image, fw in pairs])
    elif "image_name" in metafunc.fixturenames:
        metafunc.parametrize("image_name", names, scope="module")


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
    return GRAPH


@pytest.fixture(scope="session")
def build_image(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Build a target (and its ancestors) once per session, reusing up-to-date images; returns its reference."""
    done: dict[str, str] = {}
    options = BuildOptions(
        build_dir=PROJECT_DIR / "build", ca_bundle=find_ca_bundle(None), keep_going=False, force=False,
        info=BuildInfo.detect(PROJECT_DIR),
    )

    def build(name: str) -> str:
        if name not in done:
            target = graph.targets[name]
            results = build_targets(graph, graph.with_ancestors([target]), options, lambda line: None)
            if not all(r.ok for r in results):
                pytest.fail(f"building {name} failed:\n{summary_table(results)}\n"
                            + "\n".join(r.detail for r in results if r.detail), pytrace=False)
            done[name] = primary_ref(graph.matrix, target)
        return done[name]

    return build


@pytest.fixture(scope="module")
def image(build_image: Callable[[str], str], image_name: str) -> str:
    return build_image(image_name)


@pytest.fixture
def container(docker_client: docker.DockerClient, image: str) -> Iterator[TrackedContainer]:
    tracked = TrackedContainer(docker_client, image)
    yield tracked
    tracked.remove()
