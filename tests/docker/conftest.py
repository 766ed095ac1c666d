"""Docker test plumbing: engine check (fail under CI, skip elsewhere), images built once, tracked containers.

Which images a test module runs on is derived from matrix.yaml, never listed here: a module sets
APPLIES_TO (a target that must be in the image's parent chain, e.g. "foundation") and/or PROVIDES (a
capability the image's stack provides, e.g. "r"), and LEAVES_ONLY = True for a check of whole filesystems that
the images built on an image would repeat; WITH_FRAMEWORK keeps the images that have that framework layer, and
FIRST_ONLY = True the first of them only (parents come first: the smallest), for what is the same in all of them.
BUILDTOOL_TARGETS (set by `python -m buildtool test`)
narrows the selection to the named targets.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator

import docker
import pytest

from buildtool.graph import Graph
from tests.conftest import docker_tests_selected, graph_under_test
from tests.docker.containers import TrackedContainer


@functools.cache
def _graph() -> Graph:
    """The graph, made when the first Docker test is parametrized (`--stacks auto` may probe a registry)."""
    return graph_under_test()


def targets_for(applies_to: str | None, provides: str | None, leaves_only: bool = False) -> list[str]:
    """Built targets whose chain contains `applies_to` and whose stack provides `provides`; with `leaves_only`,
    only those no other target is built on (whose filesystems hold every file of their ancestors)."""
    selected = {n for n in os.environ.get("BUILDTOOL_TARGETS", "").split(",") if n}
    graph = _graph()
    parents = {t.parent for t in graph.targets.values()}
    names = []
    for target in graph.targets.values():
        if leaves_only and target.name in parents:
            continue
        chain = [t.name for t in graph.chain(target.name)]
        stack = graph.stack_of(target.name)
        if not target.built or (selected and target.name not in selected):
            continue
        if applies_to is not None and applies_to not in chain:
            continue
        if provides is not None and (stack is None or provides not in graph.matrix.stacks[stack.name].provides):
            continue
        names.append(target.name)
    return names


def dashboards_for(names: list[str]) -> list[tuple[str, str]]:
    """(image, framework) for every dashboard framework (one with a presentation type) each image has."""
    graph = _graph()
    frameworks = graph.matrix.frameworks
    return [(name, fw) for name in names for fw in graph.frameworks(name) if frameworks[fw].presentation_type]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not docker_tests_selected(metafunc.config):
        return
    module = metafunc.module
    names = targets_for(getattr(module, "APPLIES_TO", None), getattr(module, "PROVIDES", None),
                        getattr(module, "LEAVES_ONLY", False))
    if getattr(module, "WITH_FRAMEWORK", None):  # only the images that have this framework layer
        names = [name for name in names if module.WITH_FRAMEWORK in _graph().frameworks(name)]
    if getattr(module, "FIRST_ONLY", False):  # what every image has alike: the first (the smallest) is enough
        names = names[:1]
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
