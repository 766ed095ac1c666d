"""The SBOM of a real image: valid CycloneDX that names what the image has; and `push` publishing it beside the
image in a real registry (Debian's docker-registry on 127.0.0.1) under cosign's tag for the image's digest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import docker
import pytest
import requests
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from buildtool import sbom
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import Graph
from buildtool.layout import BuildDir
from buildtool.registry import OCI_MANIFEST, cosign_tag
from buildtool.tags import primary_ref
from tests.conftest import PROJECT_DIR
from tests.registry import running_registry

WITH_FRAMEWORK = "voila"
FIRST_ONLY = True  # the smallest voila image: how an SBOM is made is the same for every image


def _sbom_of(graph: Graph, name: str) -> tuple[str, dict]:
    text = BuildDir(PROJECT_DIR / "build").for_line(graph.matrix).sbom(name).read_text(encoding="utf-8")
    return text, json.loads(text)


def test_the_sbom_of_a_built_image_is_valid_and_names_what_it_has(
    image: str, image_name: str, graph: Graph, docker_client: docker.DockerClient
) -> None:
    text, document = _sbom_of(graph, image_name)
    assert JsonStrictValidator(SchemaVersion.from_version(sbom.SCHEMA)).validate_str(text) is None
    subject = document["metadata"]["component"]
    assert f"{subject['name']}:{subject['version']}" == image and subject["type"] == "container"
    fingerprint = docker_client.images.get(image).labels[FINGERPRINT_LABEL]
    assert {"name": FINGERPRINT_LABEL, "value": fingerprint} in subject["properties"]  # this very image's
    purls = [c.get("purl", "") for c in document["components"]]
    assert f"pkg:pypi/jupyterhub@{graph.matrix.versions['jupyterhub']}" in purls
    assert f"pkg:pypi/voila@{graph.matrix.versions['voila']}" in purls
    debs = {purl.split("@")[0].rsplit("/", 1)[1] for purl in purls if purl.startswith("pkg:deb/")}
    assert "bash" in debs  # in every Debian and Ubuntu
    if graph.source.name == "local":
        assert {"python3", "tini"} <= debs  # the local stacks' Python and init are Debian's (upstream's: conda's)


def _push(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "buildtool", *args], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_registry(tmp_path_factory.mktemp("registry")) as address:
        yield address


def test_push_publishes_the_sbom_under_cosigns_tag_for_the_images_digest(
    registry: str, build_image: Callable[[str], str], graph: Graph
) -> None:
    # The first (so the smallest) built image that has python3, so a manifest and an SBOM: its push is quick.
    name = next(t.name for t in graph.targets.values() if t.built and t.has_python)
    build_image(name)
    result = _push("--stacks", graph.source.name, "push", name, "--registry", registry, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    images = [row for row in rows if row["kind"] == "image"]
    [published] = [row for row in rows if row["kind"] == "sbom"]  # once for all tags: they share the digest
    assert images and {row["digest"] for row in images} == {images[0]["digest"]}
    repository = images[0]["reference"].rsplit(":", 1)[0]
    tag = cosign_tag(images[0]["digest"], "sbom")
    assert published["ok"] and published["reference"] == f"{repository}:{tag}"
    assert f"{name}: SBOM {published['reference']} pushed {published['digest']}" in result.stderr

    api = f"http://{registry}/v2/{repository.split('/', 1)[1]}"
    answer = requests.get(f"{api}/manifests/{tag}", headers={"Accept": OCI_MANIFEST}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Docker-Content-Digest"] == published["digest"]
    manifest = answer.json()
    assert manifest["mediaType"] == OCI_MANIFEST
    [layer] = manifest["layers"]
    assert layer["mediaType"] == sbom.MEDIA_TYPE
    blob = requests.get(f"{api}/blobs/{layer['digest']}", timeout=30)
    assert blob.status_code == 200
    document = json.loads(blob.content)
    assert blob.content == _sbom_of(graph, name)[0].encode()  # the file the build wrote, as it is
    subject = document["metadata"]["component"]
    assert f"{subject['name']}:{subject['version']}" == primary_ref(graph.matrix, graph.targets[name])
