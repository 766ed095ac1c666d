"""Artifacts beside an image in its registry (its SBOM) and multi-platform indexes, through the registry's HTTP API
v2: docker pushes images only, and this is no docker command (engine.py runs those). The index is one request
here; `docker manifest` would need the experimental CLI of engine 20.10 and `--insecure` for a loopback registry.

A loopback registry is spoken to over http, as the engine does; any other over https, with `docker login`'s
credentials from the docker config and the bearer-token flow most registries use (only the loopback path is
tested: the tests reach no other registry).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from buildtool.errors import BuildToolError
from buildtool.tags import DOCKER_HUB

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
# What `docker push` stores (engine 20.10: Docker's schema 2), or an OCI manifest (buildx and newer engines).
MANIFEST_TYPES = f"application/vnd.docker.distribution.manifest.v2+json, {OCI_MANIFEST}"
# The OCI empty config, as OCI 1.1 says an artifact without a config of its own has (docker-registry 2.8 takes it).
EMPTY_CONFIG = "application/vnd.oci.empty.v1+json"
EMPTY_BLOB = b"{}"
TITLE = "org.opencontainers.image.title"  # the file name `oras pull` saves a layer as
TIMEOUT_SECONDS = 120


class RegistryError(BuildToolError):
    """The registry refused a request or did not answer."""


def cosign_tag(digest: str, kind: str) -> str:
    """cosign's tag for an artifact (`sbom`, `sig`, `att`) of the image manifest `digest` (`sha256:<hex>`):
    `sha256-<hex>.<kind>`, in the image's own repository, where a scanner finds it from the digest alone."""
    return f"{digest.replace(':', '-', 1)}.{kind}"


def push_artifact(repository: str, tag: str, blob: bytes, media_type: str, title: str) -> str:
    """Store `blob` as the one layer of an OCI manifest tagged `tag` in `repository` (a reference without its
    tag); returns the manifest's digest."""
    api = Registry(*split(repository))
    layer = api.upload(blob)
    config = api.upload(EMPTY_BLOB)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": media_type,  # OCI 1.1: what the artifact is, for registries that index it
        "config": {"mediaType": EMPTY_CONFIG, "digest": config, "size": len(EMPTY_BLOB)},
        "layers": [{"mediaType": media_type, "digest": layer, "size": len(blob), "annotations": {TITLE: title}}],
    }
    body = json.dumps(manifest, separators=(",", ":")).encode()
    response = api.call("PUT", f"{api.base}/manifests/{tag}", 201, data=body, headers={"Content-Type": OCI_MANIFEST})
    digest = _digest(body)
    stored = response.headers.get("Docker-Content-Digest", digest)
    if stored != digest:
        raise RegistryError(f"{api.host} stored the manifest of {tag} as {stored}, not {digest}")
    return digest


def push_index(repository: str, tag: str, manifests: Mapping[str, str]) -> str:
    """Tag `tag` in `repository` as the OCI image index of `manifests` (platform `os/arch` -> the digest of that
    platform's image manifest, already in the repository); returns the index's digest. Each entry's media type
    and size are the registry's own answer for it."""
    api = Registry(*split(repository))
    entries = []
    for platform, digest in sorted(manifests.items()):
        found = api.call("HEAD", f"{api.base}/manifests/{digest}", 200, headers={"Accept": MANIFEST_TYPES})
        os_name, architecture = platform.split("/", 1)
        entries.append({"mediaType": found.headers["Content-Type"], "digest": digest,
                        "size": int(found.headers["Content-Length"]),
                        "platform": {"architecture": architecture, "os": os_name}})
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries},
                      separators=(",", ":")).encode()
    api.call("PUT", f"{api.base}/manifests/{tag}", 201, data=body, headers={"Content-Type": OCI_INDEX})
    return _digest(body)


def tags_and_digests(repository: str, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The tags of `repository` starting with one of `prefixes`, each with the digest of the manifest it names
    (none when the repository is not there). The first page of the tag list: registries give a thousand or more."""
    api = Registry(*split(repository))
    listed = api.call("GET", f"{api.base}/tags/list", 200, 404)
    tags = (listed.json().get("tags") or []) if listed.status_code == 200 else []
    found = {}
    for tag in tags:
        if tag.startswith(prefixes):
            answer = api.call("HEAD", f"{api.base}/manifests/{tag}", 200, headers={"Accept": MANIFEST_TYPES})
            found[tag] = answer.headers.get("Docker-Content-Digest", "")
    return found


def image_labels(repository: str, digest: str) -> dict[str, str]:
    """The labels in the config of the image manifest `digest`."""
    api = Registry(*split(repository))
    manifest = api.call("GET", f"{api.base}/manifests/{digest}", 200, headers={"Accept": MANIFEST_TYPES}).json()
    config = api.call("GET", f"{api.base}/blobs/{manifest['config']['digest']}", 200).json()
    return dict((config.get("config") or {}).get("Labels") or {})


def split(repository: str) -> tuple[str, str]:
    """(registry host, repository path) of a repository reference, read the way docker reads one: a first
    component with a dot or a colon, or `localhost`, is a host; without one, the repository is Docker Hub's."""
    first, _, rest = repository.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return (DOCKER_HUB[-1] if first in DOCKER_HUB else first), rest
    return DOCKER_HUB[-1], repository if "/" in repository else f"library/{repository}"


def is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    try:
        return name == "localhost" or ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def docker_credentials(host: str) -> tuple[str, str] | None:
    """`docker login`'s user and password for `host`, from the docker config's `auths` ($DOCKER_CONFIG, else
    ~/.docker); credential helpers (`credsStore`) are not asked."""
    path = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker") / "config.json"
    try:
        auths = json.loads(path.read_text(encoding="utf-8")).get("auths") or {}
    except (OSError, ValueError, AttributeError):
        return None
    for key, entry in auths.items():
        # Keys are `host`, `https://host`, or for Docker Hub the URL of its index (`https://<host>/v1/`).
        if urlsplit(key if "//" in key else f"//{key}").netloc != host or not isinstance(entry, dict):
            continue
        if entry.get("username") and entry.get("password") is not None:
            return entry["username"], entry["password"]
        user, colon, password = base64.b64decode(entry.get("auth") or "").decode("utf-8", "replace").partition(":")
        if colon:
            return user, password
    return None


class Registry:
    """The API of one repository in one registry; a 401's challenge is answered once, then remembered."""

    def __init__(self, host: str, repository: str) -> None:
        self.host = host
        self.repository = repository
        self.secure = not is_loopback(host)
        self.base = f"{'https' if self.secure else 'http'}://{host}/v2/{repository}"
        self.session = requests.Session()

    def call(self, method: str, url: str, *expected: int, **kwargs: Any) -> requests.Response:
        """The response to a request; a RegistryError unless its status is one of `expected` (any when none)."""
        try:
            response = self.session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
            if response.status_code == 401 and self._authenticate(response):
                response = self.session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise RegistryError(f"{self.host}: {type(exc).__name__}: {exc}") from None
        if expected and response.status_code not in expected:
            raise RegistryError(f"{self.host}: {method} {urlsplit(url).path}: HTTP {response.status_code}"
                                f"{_problem(response)}")
        return response

    def upload(self, blob: bytes) -> str:
        """Upload `blob` unless the repository has it; returns its digest."""
        digest = _digest(blob)
        if self.call("HEAD", f"{self.base}/blobs/{digest}").status_code == 200:
            return digest
        started = self.call("POST", f"{self.base}/blobs/uploads/", 202)
        location = urljoin(f"{self.base}/", started.headers.get("Location", ""))  # often a path, sometimes a URL
        self.call("PUT", location, 201, params={"digest": digest}, data=blob,
                  headers={"Content-Type": "application/octet-stream"})
        return digest

    def _authenticate(self, response: requests.Response) -> bool:
        """Answer a 401's challenge (Basic, or a Bearer token for pull and push from its realm); False when it
        was answered before (refused credentials) or cannot be."""
        if "Authorization" in self.session.headers:
            return False
        scheme, _, params = response.headers.get("WWW-Authenticate", "").partition(" ")
        credentials = docker_credentials(self.host)
        if scheme.lower() == "basic" and credentials:
            self.session.headers["Authorization"] = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
            return True
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        if scheme.lower() != "bearer" or "realm" not in fields:
            return False
        realm = fields["realm"]
        if urlsplit(realm).scheme != "https" and not is_loopback(urlsplit(realm).netloc):
            credentials = None  # a password goes over TLS only
        query = {"scope": f"repository:{self.repository}:pull,push", **({"service": fields["service"]}
                                                                        if "service" in fields else {})}
        token = None
        try:
            answer = requests.get(realm, params=query, auth=credentials, timeout=TIMEOUT_SECONDS)
            if answer.ok:
                token = answer.json().get("token") or answer.json().get("access_token")  # either name is in use
        except (requests.RequestException, ValueError, AttributeError):
            pass
        if not token:
            who = "the docker config's credentials" if credentials else "no credentials (`docker login` first)"
            raise RegistryError(f"{self.host}: no token from {urlsplit(realm).netloc} with {who}")
        self.session.headers["Authorization"] = f"Bearer {token}"
        return True


def _digest(blob: bytes) -> str:
    return f"sha256:{hashlib.sha256(blob).hexdigest()}"


def _problem(response: requests.Response) -> str:
    """The registry's own words for an error (the API's `errors` list), if it said any."""
    try:
        errors = response.json().get("errors") or []
        return "".join(f": {e.get('code', '')} {e.get('message', '')}".rstrip() for e in errors[:1])
    except (ValueError, AttributeError):
        return ""
