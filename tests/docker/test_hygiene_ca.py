"""The build host's own CAs (a TLS proxy's, passed to builds as a BuildKit secret) are in no image's files.

A whole-filesystem search, so it runs on the images nothing else is built on (LEAVES_ONLY): each of them holds
every file of the images below it, which a search of those would only repeat (a file written and deleted again
within an image's build is in neither; test_build_secret.py checks the secret's way through a build).
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest

from buildtool.engine import find_ca_bundle
from tests.docker.containers import TrackedContainer

APPLIES_TO = None
LEAVES_ONLY = True
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


def test_host_certificate_authorities_are_not_in_the_image(container: TrackedContainer) -> None:
    lines = _host_only_certificates()
    if not lines:
        pytest.skip("the build host's CA bundle has no CA beyond Debian's public set: nothing could leak")
    patterns = " ".join(f"-e '{line}'" for line in lines)
    script = f"grep -rlF {patterns} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true"
    assert container.check(["bash", "-c", script], user="root", entrypoint=[]).strip() == ""
