"""The registry API client that publishes SBOMs: names, credentials, and the bearer-token flow against a small
stand-in registry on loopback (the real registry's tests are tests/docker/test_sbom.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from buildtool import registry

CREDENTIALS = ("publisher", "s3cret")


def test_the_sbom_tag_is_cosigns() -> None:
    assert registry.cosign_tag("sha256:" + "ab" * 32, "sbom") == f"sha256-{'ab' * 32}.sbom"


@pytest.mark.parametrize(("repository", "expected"), [
    ("127.0.0.1:5000/example/app", ("127.0.0.1:5000", "example/app")),
    ("localhost/example/app", ("localhost", "example/app")),
    ("HOST.example/team/example/app", ("HOST.example", "team/example/app")),
    ("example/app", (registry.DOCKER_HUB[-1], "example/app")),  # no host: Docker Hub's, by its API's name
    ("app", (registry.DOCKER_HUB[-1], "library/app")),
    (f"{registry.DOCKER_HUB[0]}/example/app", (registry.DOCKER_HUB[-1], "example/app")),
])
def test_a_repository_is_split_into_host_and_path_as_docker_does(repository: str, expected: tuple[str, str]) -> None:
    assert registry.split(repository) == expected


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1:5000", True), ("127.8.0.1", True), ("localhost:5000", True), ("[::1]:5000", True),
    ("10.0.0.1:5000", False), ("HOST.example", False),
])
def test_only_loopback_registries_are_spoken_to_without_tls(host: str, loopback: bool) -> None:
    assert registry.is_loopback(host) is loopback
    assert registry.Registry(host, "example/app").base.startswith("http://" if loopback else "https://")


def test_credentials_come_from_the_docker_configs_auths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoded = base64.b64encode(b"publisher:s3:cret").decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {
        "https://HOST.example": {"auth": encoded},
        "OTHER.example:5000": {"username": "u", "password": "p"},
    }, "credsStore": "desktop"}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert registry.docker_credentials("HOST.example") == ("publisher", "s3:cret")
    assert registry.docker_credentials("OTHER.example:5000") == ("u", "p")
    assert registry.docker_credentials("THIRD.example") is None


class _TokenRegistry(BaseHTTPRequestHandler):
    """A registry that wants a bearer token from its realm, which wants CREDENTIALS; keeps what is pushed."""

    stored: ClassVar[dict[str, bytes]] = {}
    scopes: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/token":
            basic = "Basic " + base64.b64encode(":".join(CREDENTIALS).encode()).decode()
            if self.headers.get("Authorization") != basic:
                return self._answer(401)
            self.scopes.append(parse_qs(url.query)["scope"][0])
            return self._answer(200, body=b'{"token": "T"}')
        if self.headers.get("Authorization") != "Bearer T":
            realm = f"http://{self.headers['Host']}/token"
            return self._answer(401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="stand-in"'})
        if self.command == "HEAD":
            return self._answer(404)
        if self.command == "POST":
            return self._answer(202, {"Location": f"{url.path}u1?_state=x"})
        digest = parse_qs(url.query).get("digest", [""])[0]
        if "/blobs/uploads/" in url.path and digest == f"sha256:{hashlib.sha256(body).hexdigest()}":
            self.stored[digest] = body
            return self._answer(201)
        if "/manifests/" in url.path:
            self.stored[url.path.rsplit("/", 1)[1]] = body
            return self._answer(201, {"Docker-Content-Digest": f"sha256:{hashlib.sha256(body).hexdigest()}"})
        return self._answer(400)

    do_GET = do_HEAD = do_POST = do_PUT = _handle


@pytest.fixture
def token_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    host = f"127.0.0.1:{server.server_address[1]}"
    encoded = base64.b64encode(":".join(CREDENTIALS).encode()).decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {host: {"auth": encoded}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    _TokenRegistry.stored, _TokenRegistry.scopes = {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield host
    server.shutdown()
    server.server_close()


def test_an_artifact_is_pushed_with_a_token_got_with_docker_login_credentials(token_registry: str) -> None:
    blob = b'{"bomFormat": "CycloneDX"}'
    digest = registry.push_artifact(f"{token_registry}/example/app", "sha256-ab.sbom", blob,
                                    "application/vnd.cyclonedx+json", "app.cdx.json")
    stored = _TokenRegistry.stored
    manifest = json.loads(stored["sha256-ab.sbom"])
    assert digest == f"sha256:{hashlib.sha256(stored['sha256-ab.sbom']).hexdigest()}"
    assert manifest["mediaType"] == registry.OCI_MANIFEST and manifest["config"]["mediaType"] == registry.EMPTY_CONFIG
    [layer] = manifest["layers"]
    assert stored[layer["digest"]] == blob and layer["mediaType"] == "application/vnd.cyclonedx+json"
    assert layer["annotations"] == {registry.TITLE: "app.cdx.json"}
    assert stored[manifest["config"]["digest"]] == b"{}"
    assert _TokenRegistry.scopes == ["repository:example/app:pull,push"]  # one token, for everything


def test_refused_credentials_are_one_clear_error(token_registry: str, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"auths": {token_registry: {"username": "x", "password": "y"}}}))
    with pytest.raises(registry.RegistryError, match=f"{token_registry}: no token from .* docker config"):
        registry.push_artifact(f"{token_registry}/example/app", "t", b"{}", "application/json", "t.json")
