"""What must not be in any image: package caches, apt lists, build secrets (the build host's own CAs:
test_hygiene_ca.py)."""

from __future__ import annotations

from tests.docker.containers import TrackedContainer

APPLIES_TO = "foundation"


def test_no_package_caches_or_lists(container: TrackedContainer) -> None:
    script = ("find /var/lib/apt/lists -type f -name '*_Packages*'; find /var/cache/apt -name '*.deb'; "
              "find /var/cache/buildtool /home/jovyan/.cache/pip /root/.cache/pip -type f 2>/dev/null; true")
    assert container.check(["bash", "-c", script], user="root", entrypoint=[]).strip() == ""


def test_no_build_secrets_left(container: TrackedContainer) -> None:
    assert container.check(["bash", "-c", "ls -A /run/secrets 2>/dev/null; true"], entrypoint=[]).strip() == ""
