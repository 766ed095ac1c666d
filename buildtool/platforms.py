"""The platforms images are built for: the machine's own, and the names each tool gives them.

A platform is Docker's `os/arch` (`linux/amd64`). Jupyter Docker Stacks tag each platform's image with the kernel's
name for its machine as a prefix (`x86_64-<tag>`, `aarch64-<tag>`) and publish the plain tag as the index of both;
Debian's debootstrap names the same architectures `amd64` and `arm64`.
"""

from __future__ import annotations

import platform as host
from dataclasses import dataclass


@dataclass(frozen=True)
class Arch:
    platform: str  # Docker's os/arch
    machine: str  # `uname -m`: docker-stacks' tag prefix, what a container of it reports
    debian: str  # debootstrap's --arch


KNOWN = {
    arch.platform: arch
    for arch in (Arch("linux/amd64", "x86_64", "amd64"), Arch("linux/arm64", "aarch64", "arm64"))
}
MACHINES = {"x86_64": "linux/amd64", "amd64": "linux/amd64", "aarch64": "linux/arm64", "arm64": "linux/arm64"}


def native() -> str:
    """This machine's platform (`linux/amd64` when `uname -m` names none this tool knows)."""
    return MACHINES.get(host.machine().lower(), "linux/amd64")


def tag_prefix(platform: str) -> str:
    """docker-stacks' prefix of a platform's own tags: `aarch64-` for linux/arm64."""
    return f"{KNOWN[platform].machine}-"
