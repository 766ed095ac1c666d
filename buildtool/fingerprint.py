"""A target's fingerprint: a digest of everything that goes into its image, carried by the image as a label.

An image whose label matches its target's fingerprint is up to date: `build` skips it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

FINGERPRINT_LABEL = "io.containds.buildtool.fingerprint"
FINGERPRINT_VERSION = "1"  # bump when the way targets are built changes without their files changing


def context_fingerprint(context: Path, parent: str) -> str:
    """A rendered build context (every file, its path and whether it is executable) on top of `parent` (the
    parent's fingerprint, or the reference of an image it is built on but does not build)."""
    digest = hashlib.sha256(f"buildtool-fingerprint/{FINGERPRINT_VERSION}\nparent {parent}\n".encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        mode = "x" if path.stat().st_mode & 0o111 else "-"
        digest.update(f"{path.relative_to(context).as_posix()} {mode}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]
