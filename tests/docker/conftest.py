"""Docker test plumbing: engine check (fail under CI, skip elsewhere), images built once, tracked containers.

Which images a test module runs on is derived from matrix.yaml, never listed here: a module sets
APPLIES_TO (a target that must be in the image's parent chain, e.g. "foundation") and/or PROVIDES (a
capability the image's stack provides, e.g. "r"). BUILDTOOL_TARGETS (set by `python -m buildtool test`)
narrows the selection to the named targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import docker
import pytest

from tests.conftest import graph_under_test
from tests.docker.containers import TrackedContainer

GRAPH = graph_under_test()


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


@pytest.fixture(scope="module")
def image(build_image: Callable[[str], str], image_name: str) -> str:
    return build_image(image_name)


@pytest.fixture
def container(docker_client: docker.DockerClient, image: str) -> Iterator[TrackedContainer]:
    tracked = TrackedContainer(docker_client, image)
    yield tracked
    tracked.remove()
