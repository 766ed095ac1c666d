"""The SBOM made from an image's manifest: valid CycloneDX, one component per package URL, written at build time
(no engine: the manifest is made here, or cached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from buildtool import build, engine, push, sbom
from buildtool.build import BuildOptions
from buildtool.buildinfo import BuildInfo
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import build_graph
from buildtool.layout import BuildDir
from buildtool.manifest import Manifest
from buildtool.manifest import write as write_manifest
from buildtool.matrix import Matrix
from buildtool.registry import RegistryError
from buildtool.tags import primary_ref

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-25")
DIGEST = "sha256:" + "ab" * 32  # what the stand-in registry gives every pushed image
FAILING = "/dash-all"  # the repository whose SBOM the stand-in registry refuses


def _manifest(**changes: object) -> Manifest:
    fields: dict = {
        "target": "dash-all", "fingerprint": "f1", "references": ("example/dash-all:1.2.3", "example/dash-all:latest"),
        "python": "3.11", "python_version": "3.11.2", "os": "Debian GNU/Linux 12 (bookworm)", "frameworks": {},
        "python_packages": {"voila": "0.5.8", "Foo_Bar": "1.0", "foo-bar": "1.0", "zope.interface": "6.1"},
        "r_packages": {"shiny": "1.8.0", "R6": "2.5.1"},
        "os_packages": {"tini": "0.19.0-1", "bsdutils": "1:2.38.1-5+deb12u3", "python3": "3.11.2-1+b1"},
    }
    return Manifest(**{**fields, **changes})


def _document(manifest: Manifest) -> dict:
    return json.loads(sbom.to_json(manifest))


def test_the_sbom_is_valid_cyclonedx_of_the_schema_it_names() -> None:
    text = sbom.to_json(_manifest())
    assert json.loads(text)["specVersion"] == sbom.SCHEMA
    assert JsonStrictValidator(SchemaVersion.from_version(sbom.SCHEMA)).validate_str(text) is None


def test_every_package_has_its_package_url() -> None:
    purls = {c["purl"] for c in _document(_manifest())["components"] if "purl" in c}
    assert purls == {
        "pkg:deb/debian/tini@0.19.0-1?distro=debian-12",
        "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?distro=debian-12",  # purl percent-encodes the `+`
        "pkg:deb/debian/python3@3.11.2-1%2Bb1?distro=debian-12",
        "pkg:pypi/voila@0.5.8", "pkg:pypi/foo-bar@1.0", "pkg:pypi/zope-interface@6.1",
        "pkg:cran/shiny@1.8.0", "pkg:cran/R6@2.5.1",
    }


def test_names_pip_spells_differently_are_one_component_and_bom_refs_are_unique() -> None:
    components = _document(_manifest())["components"]
    assert [c["name"] for c in components].count("foo-bar") == 1
    refs = [c["bom-ref"] for c in components]
    assert len(refs) == len(set(refs))
    two_versions = _document(_manifest(python_packages={"Foo_Bar": "1.0", "foo.bar": "2.0"}))["components"]
    assert {c["purl"] for c in two_versions if c["name"] == "foo-bar"} == {"pkg:pypi/foo-bar@1.0",
                                                                           "pkg:pypi/foo-bar@2.0"}


def test_the_image_is_the_subject_named_by_its_first_reference() -> None:
    document = _document(_manifest())
    image = document["metadata"]["component"]
    assert (image["type"], image["name"], image["version"]) == ("container", "example/dash-all", "1.2.3")
    assert {"name": "io.containds.buildtool.fingerprint", "value": "f1"} in image["properties"]
    system = next(c for c in document["components"] if c["type"] == "operating-system")
    assert (system["name"], system["version"]) == ("debian", "12")
    depends = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert len(depends[image["bom-ref"]]) == len(document["components"])


@pytest.mark.parametrize(("os_name", "expected"), [
    ("Debian GNU/Linux 12 (bookworm)", ("debian", "debian-12")),
    ("Ubuntu 24.04.1 LTS", ("ubuntu", "ubuntu-24.04")),
    ("Debian GNU/Linux trixie/sid", ("debian", None)),
])
def test_the_distro_qualifier_comes_from_the_os_name(os_name: str, expected: tuple[str, str | None]) -> None:
    assert sbom.distro(os_name) == expected


def test_an_unchanged_manifest_keeps_its_sbom_file_and_a_changed_one_gets_a_new_one(tmp_path: Path) -> None:
    build_dir = BuildDir(tmp_path)
    path = sbom.ensure(build_dir, _manifest())
    assert path == tmp_path / "manifests" / "dash-all.cdx.json"
    first = path.read_text()
    assert sbom.ensure(build_dir, _manifest()).read_text() == first  # the same timestamp: not written again
    changed = json.loads(sbom.ensure(build_dir, _manifest(fingerprint="f2")).read_text())
    assert changed["serialNumber"] != json.loads(first)["serialNumber"]


def test_a_build_writes_the_sbom_also_when_it_reuses_the_manifest(mini_matrix: Matrix, tmp_path: Path) -> None:
    graph = build_graph(mini_matrix, "local")
    target = graph.targets["dash-all"]
    options = BuildOptions(build_dir=BuildDir(tmp_path), ca_bundle=None, keep_going=False, force=frozenset(),
                           info=INFO)
    write_manifest(options.build_dir, _manifest(references=()))  # from an earlier build, before SBOMs
    refs = build.record_manifest(graph, target, primary_ref(mini_matrix, target), "f1", options)
    document = json.loads(options.build_dir.sbom("dash-all").read_text())
    assert f"{document['metadata']['component']['name']}:{document['metadata']['component']['version']}" == refs[0]


@pytest.fixture
def pushing(mini_matrix: Matrix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Images of dash-py and dash-all (manifests written) that push to DIGEST; returns the SBOM pushes asked for
    as (repository, tag); a repository named in FAILING refuses them."""
    monkeypatch.setattr(engine, "image_state", lambda ref: engine.ImageState({FINGERPRINT_LABEL: "f1"}, 1, frozenset()))
    monkeypatch.setattr(engine, "push_image", lambda local, ref: DIGEST)
    asked: list[tuple[str, str]] = []

    def push_artifact(repository: str, tag: str, blob: bytes, media_type: str, title: str) -> str:
        asked.append((repository, tag))
        assert json.loads(blob)["bomFormat"] == "CycloneDX" and media_type == sbom.MEDIA_TYPE
        if repository.endswith(FAILING):
            raise RegistryError("HTTP 400: MANIFEST_INVALID")
        return "sha256:" + "cd" * 32

    monkeypatch.setattr(push, "push_artifact", push_artifact)
    for name in ("dash-py", "dash-all"):
        write_manifest(BuildDir(tmp_path), _manifest(target=name, references=(f"example/{name}:1.2.3",)))
    return asked



def _push(mini_matrix: Matrix, tmp_path: Path, names: list[str], keep_going: bool) -> tuple[list, list[str]]:
    graph = build_graph(mini_matrix, "local")
    lines: list[str] = []
    results = push.push_targets(graph, [graph.targets[n] for n in names], INFO, "127.0.0.1:5000", BuildDir(tmp_path),
                                keep_going, lines.append)
    return results, lines


def test_push_publishes_one_sbom_per_image_digest_under_cosigns_tag(
    mini_matrix: Matrix, tmp_path: Path, pushing: list[tuple[str, str]]
) -> None:
    results, lines = _push(mini_matrix, tmp_path, ["dash-py"], keep_going=False)
    images = [r for r in results if r.kind == "image"]
    assert len(images) > 1 and all(r.ok and r.digest == DIGEST for r in images)
    assert pushing == [("127.0.0.1:5000/example/dash-py", f"sha256-{'ab' * 32}.sbom")]  # once for every tag
    [published] = [r for r in results if r.kind == "sbom"]
    assert published.ok and published.reference == f"127.0.0.1:5000/example/dash-py:sha256-{'ab' * 32}.sbom"
    assert lines[-1] == f"dash-py: SBOM {published.reference} pushed {published.digest}"


@pytest.mark.parametrize("keep_going", [False, True])
def test_a_refused_sbom_fails_its_target_and_keep_going_pushes_the_rest(
    mini_matrix: Matrix, tmp_path: Path, pushing: list[tuple[str, str]], keep_going: bool
) -> None:
    results, lines = _push(mini_matrix, tmp_path, ["dash-all", "dash-py"], keep_going)
    failed = [r for r in results if not r.ok]
    assert [(r.target, r.kind) for r in failed] == [("dash-all", "sbom")]
    assert "SBOM push to 127.0.0.1:5000 failed: HTTP 400: MANIFEST_INVALID" in failed[0].detail
    assert any("dash-all: SBOM" in line and "FAILED" in line for line in lines)
    assert any(r.target == "dash-py" for r in results) is keep_going


@pytest.mark.parametrize(("error", "ok"), [(engine.CommandMissing("python3: not found"), True),
                                           (engine.EngineError("Docker engine: gone"), False)])
def test_an_image_whose_manifest_cannot_be_read_has_no_sbom_which_fails_it_unless_python3_is_missing(
    mini_matrix: Matrix, tmp_path: Path, pushing: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
    error: Exception, ok: bool
) -> None:
    def of_image(*_args: object) -> Manifest:
        raise error

    monkeypatch.setattr(push.manifest, "of_image", of_image)
    results, lines = _push(mini_matrix, tmp_path, ["dash-py"], keep_going=False)
    assert pushing == [] and all(r.ok for r in results if r.kind == "image")
    assert all(r.ok for r in results) is ok
    assert lines[-1] == ("dash-py: no SBOM (the image has no python3, so no manifest to make one from)" if ok else
                         "dash-py: SBOM FAILED: no manifest to make its SBOM from: Docker engine: gone")
