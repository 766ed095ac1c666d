"""Another platform's images, built here under emulation: the chain of the smallest voila image (the root from
Debian's packages for that architecture, the stacks under it, the image), each recorded as that platform; a
container of it runs that machine's programs and serves a voila dashboard through jhsingle-native-proxy as the hub
would; and `push` of both platforms gives one tag naming both (an OCI image index) from which `docker pull
--platform` takes the matching image."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest
import requests

from buildtool import platforms
from buildtool.graph import Graph
from buildtool.registry import OCI_INDEX
from buildtool.tags import primary_ref, release_tag
from tests.conftest import PROJECT_DIR, graph_under_test
from tests.docker.containers import TrackedContainer
from tests.docker.test_dashboards import _wait_until_served, serve_fixture
from tests.registry import running_registry

WITH_FRAMEWORK = "voila"
FIRST_ONLY = True  # the smallest voila image: emulation makes every build several times slower


@pytest.fixture(scope="module")
def foreign(graph: Graph) -> Graph:
    """The graph of the first platform the matrix publishes that is not this machine's."""
    others = [name for name in graph.matrix.platforms if name != graph.matrix.platform]
    if not others:
        pytest.skip(f"the matrix publishes {graph.matrix.platform} alone")
    return graph_under_test(graph.matrix.line, others[0])


@pytest.fixture(scope="module")
def foreign_image(build_on_line: Callable[..., str], foreign: Graph, image_name: str) -> str:
    return build_on_line(None, image_name, foreign.matrix.platform)


def _architecture(client: docker.DockerClient, ref: str) -> str:
    attrs = client.images.get(ref).attrs
    return f"{attrs['Os']}/{attrs['Architecture']}"


def test_the_chain_is_built_for_the_other_platform_and_recorded_as_it(
        foreign_image: str, foreign: Graph, image_name: str, image: str, docker_client: docker.DockerClient) -> None:
    wanted = foreign.matrix.platform
    built = [t for t in foreign.chain(image_name) if t.built]  # with the upstream stacks, the image alone
    assert built and built[0].name == image_name
    for target in built:
        assert _architecture(docker_client, primary_ref(foreign.matrix, target)) == wanted, target.name
    assert _architecture(docker_client, image) == platforms.native()  # this machine's own, beside it


def test_a_container_of_it_runs_that_machines_programs_and_serves_voila_through_the_proxy(
        foreign_image: str, foreign: Graph, docker_client: docker.DockerClient) -> None:
    container = TrackedContainer(docker_client, foreign_image)
    try:
        machine = container.check(["uname", "-m"]).strip()
        assert machine == platforms.KNOWN[foreign.matrix.platform].machine
        launcher = foreign.matrix.frameworks["voila"].launcher.as_config()
        server, url, expected = serve_fixture(container, foreign.matrix.hub.presentation_cmd, "voila", launcher)
        _wait_until_served(url, server, timeout=600)  # an emulated kernel starts slowly
        page = requests.get(url, timeout=300)
        assert page.status_code == 200 and expected in page.text, page.text[-2000:]
    finally:
        container.remove()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_registry(tmp_path_factory.mktemp("registry")) as address:
        yield address


def test_push_of_both_platforms_gives_one_index_that_pulls_by_platform(
        registry: str, foreign_image: str, image: str, image_name: str, foreign: Graph, graph: Graph,
        docker_client: docker.DockerClient) -> None:
    wanted = [graph.matrix.platform, foreign.matrix.platform]
    result = subprocess.run(
        [sys.executable, "-m", "buildtool", "--stacks", graph.source.name, "--platform", ",".join(wanted), "push",
         image_name, "--registry", registry, "--json"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(result.stdout)
    images = [row for row in rows if row["kind"] == "image"]
    indexes = [row for row in rows if row["kind"] == "index"]
    assert indexes and all(row["ok"] for row in rows)
    plain = indexes[0]["reference"]  # the release tag: the first
    repository, tag = plain.rsplit(":", 1)
    digests = {platform: next(row["digest"] for row in images
                              if row["reference"] == f"{repository}:{platforms.tag_prefix(platform)}{tag}")
               for platform in wanted}  # each platform's own tag, docker-stacks' way
    api = f"http://{registry}/v2/{repository.split('/', 1)[1]}"
    answer = requests.get(f"{api}/manifests/{tag}", headers={"Accept": OCI_INDEX}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == OCI_INDEX, answer.text[:500]
    listed = {f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
              for m in answer.json()["manifests"]}
    assert listed == digests
    try:
        for platform in wanted:
            pulled = docker_client.images.pull(repository, tag, platform=platform)
            assert f"{pulled.attrs['Os']}/{pulled.attrs['Architecture']}" == platform
            assert any(d.endswith(digests[platform]) or d.endswith(indexes[0]["digest"])
                       for d in pulled.attrs.get("RepoDigests", [])), pulled.attrs.get("RepoDigests")
    finally:
        for ref in [row["reference"] for row in images] + [plain]:
            with contextlib.suppress(docker.errors.ImageNotFound):
                docker_client.images.remove(ref)  # the tags only: the images keep their own


def _buildtool(*args: str) -> tuple[int, list[dict], str]:
    result = subprocess.run([sys.executable, "-m", "buildtool", *args, "--json"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=1800)
    return result.returncode, json.loads(result.stdout or "[]"), result.stderr


def test_platforms_pushed_apart_are_merged_only_when_their_images_are_of_one_commit(
        registry: str, foreign_image: str, image: str, image_name: str, foreign: Graph, graph: Graph,
        docker_client: docker.DockerClient) -> None:
    """The workflow's way: each platform pushes its own tags (`push --platform-tags`), then `merge` makes the
    plain tags. A platform whose release tag names an image of another commit (a failed push leaves the old one)
    is refused, and its plain tags are left as they were."""
    options = ("--stacks", graph.source.name, "--platform", f"{graph.matrix.platform},{foreign.matrix.platform}")
    status, pushed, stderr = _buildtool(*options, "push", image_name, "--registry", registry, "--platform-tags")
    assert status == 0, stderr[-3000:]
    assert all(row["kind"] != "index" for row in pushed), "no plain tag before merge"
    status, merged, stderr = _buildtool("--stacks", graph.source.name, "merge", image_name, "--registry", registry)
    assert status == 0, stderr[-3000:]
    images = {row["reference"]: row["digest"] for row in pushed if row["kind"] == "image"}
    tag = release_tag(graph.matrix, graph.targets[image_name])
    release = next(row for row in merged if row["kind"] == "index" and row["reference"].endswith(f":{tag}"))
    repository = release["reference"].rsplit(":", 1)[0]
    api = f"http://{registry}/v2/{repository.split('/', 1)[1]}"
    index = requests.get(f"{api}/manifests/{tag}", headers={"Accept": OCI_INDEX}, timeout=30).json()
    wanted = (graph.matrix.platform, foreign.matrix.platform)
    assert {m["digest"] for m in index["manifests"]} == {images[f"{repository}:{platforms.tag_prefix(p)}{tag}"]
                                                         for p in wanted}

    # Another commit's image under the other platform's release tag, as a failed push of that platform leaves it.
    stale = f"{repository}:{platforms.tag_prefix(foreign.matrix.platform)}{tag}"
    built, _ = docker_client.images.build(
        fileobj=io.BytesIO(f"FROM {foreign_image}\nLABEL org.opencontainers.image.revision=0ld\n"
                                         .encode()), tag=stale, rm=True, pull=False)
    try:
        for _ in docker_client.images.push(stale, stream=True, decode=True):
            pass
        status, refused, stderr = _buildtool("--stacks", graph.source.name, "merge", image_name, "--registry",
                                             registry)
        assert status == 1 and not any(row["ok"] for row in refused), refused
        assert "of different commits" in refused[0]["detail"] and "0ld" in refused[0]["detail"]
        after = requests.get(f"{api}/manifests/{tag}", headers={"Accept": OCI_INDEX}, timeout=30)
        assert after.headers["Docker-Content-Digest"] == release["digest"], "the plain tag was changed"
    finally:
        docker_client.images.remove(built.id, force=True)
        for ref in images:
            with contextlib.suppress(docker.errors.ImageNotFound):
                docker_client.images.remove(ref)
