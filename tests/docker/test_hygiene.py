"""What must not be in any image: package caches, apt lists, build secrets, the build host's own CAs."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest

from buildtool.engine import find_ca_bundle
from tests.docker.containers import TrackedContainer

APPLIES_TO = "foundation"
PEM_BODY = re.compile(r"-----BEGIN CERTIFICATE-----\n(.*?)-----END CERTIFICATE-----", re.S)


def _host_only_certificates() -> list[str]:
    """A distinctive line of each CA in the build host's bundle that Debian's Mozilla set does not have
    (a TLS proxy's CA, for instance): had the bundle leaked into an image, these lines would be there."""
    bundle = find_ca_bundle(None)
    if bundle is None:
        return []
    public = {body for path in glob.glob("/usr/share/ca-certificates/mozilla/*.crt")
              for body in PEM_BODY.findall(Path(path).read_text(errors="replace"))}
    return [body.splitlines()[1] for body in PEM_BODY.findall(bundle.read_text(errors="replace"))
            if body not in public and len(body.splitlines()) > 2]


def test_no_package_caches_or_lists(container: TrackedContainer) -> None:
    script = ("find /var/lib/apt/lists -type f -name '*_Packages*'; find /var/cache/apt -name '*.deb'; "
              "find /var/cache/buildtool /home/jovyan/.cache/pip /root/.cache/pip -type f 2>/dev/null; true")
    assert container.check(["bash", "-c", script], user="root", entrypoint=[]).strip() == ""


def test_no_build_secrets_left(container: TrackedContainer) -> None:
    assert container.check(["bash", "-c", "ls -A /run/secrets 2>/dev/null; true"], entrypoint=[]).strip() == ""


def test_host_certificate_authorities_are_not_in_the_image(container: TrackedContainer) -> None:
    lines = _host_only_certificates()
    if not lines:
        pytest.skip("the build host's CA bundle has no CA beyond Debian's public set: nothing could leak")
    patterns = " ".join(f"-e '{line}'" for line in lines)
    script = f"grep -rlF {patterns} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true"
    assert container.check(["bash", "-c", script], user="root", entrypoint=[]).strip() == ""
