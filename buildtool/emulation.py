"""Running another platform's programs here (qemu-user-static through the kernel's binfmt_misc), so that builds
for it work: a RUN step of an arm64 image on an x86_64 machine.

The handler is registered with the `F` flag: the kernel opens the interpreter when it is registered, so it works
inside containers too, where /usr/bin/qemu-*-static does not exist (Debian's own registration, without `F`, names
a path that exists only on the host). Only asked for: `ensure` runs when a build for another platform is asked for
(or by `scripts/setup --emulation`), and changes nothing when the handler is there already.

    python -m buildtool.emulation linux/arm64     register the handler (root), or say in one line why it cannot
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from buildtool.errors import BuildToolError
from buildtool.platforms import KNOWN, native

BINFMT = Path("/proc/sys/fs/binfmt_misc")


@dataclass(frozen=True)
class Handler:
    name: str
    interpreter: str
    magic: str  # the ELF header of the platform's executables, as binfmt_misc's escaped bytes
    mask: str


# qemu's own ELF magic and mask for each machine (its scripts/qemu-binfmt-conf.sh), Debian's interpreter paths.
HANDLERS = {
    "linux/arm64": Handler(
        "qemu-aarch64", "/usr/bin/qemu-aarch64-static",
        r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00",
        r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"),
    "linux/amd64": Handler(
        "qemu-x86_64", "/usr/bin/qemu-x86_64-static",
        r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00",
        r"\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"),
}


class EmulationUnavailable(BuildToolError):
    """This machine cannot run the platform's programs, and cannot be made to here."""


def ready(handler: Handler) -> bool:
    """Whether the handler is registered, enabled, and usable in containers (flag F)."""
    try:
        entry = (BINFMT / handler.name).read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].strip() for line in entry.splitlines() if line.startswith("flags:")), "")
    return entry.startswith("enabled") and "F" in flags


def ensure(platform: str) -> str:
    """Make `platform`'s programs runnable here; what was done, in one line. EmulationUnavailable says why not."""
    if platform not in HANDLERS:
        raise EmulationUnavailable(f"no emulation of {platform} is known (known: {', '.join(HANDLERS)})")
    handler = HANDLERS[platform]
    if ready(handler):
        return f"{platform}: emulated by {handler.name} (registered)"
    if not Path(handler.interpreter).is_file():
        raise EmulationUnavailable(f"{platform} needs {handler.interpreter}: scripts/setup --emulation installs "
                                   "qemu-user-static")
    if os.geteuid() != 0:
        raise EmulationUnavailable(f"{platform} needs {handler.name} registered with binfmt_misc, which takes root: "
                                   "run scripts/setup --emulation as root")
    try:
        if not (BINFMT / "register").exists():
            mounted = subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)], capture_output=True,
                                     text=True)
            if mounted.returncode != 0:
                raise EmulationUnavailable(f"{platform}: binfmt_misc cannot be mounted here "
                                           f"({mounted.stderr.strip()}): this kernel or container cannot run other "
                                           "platforms' programs")
        if (BINFMT / handler.name).exists():  # registered without F (Debian's binfmt-support does that): again
            (BINFMT / handler.name).write_text("-1")
        (BINFMT / "register").write_text(f":{handler.name}:M::{handler.magic}:{handler.mask}:{handler.interpreter}:F")
    except OSError as error:  # no `mount`, a read-only binfmt_misc, a handler unregistered meanwhile
        raise EmulationUnavailable(f"{platform}: registering {handler.name} failed: {error}") from None
    return f"{platform}: registered {handler.name} ({handler.interpreter}, flag F) with binfmt_misc"


def main(argv: list[str]) -> int:
    platforms = argv or [p for p in KNOWN if p != native()]
    try:
        for platform in platforms:
            print(ensure(platform), file=sys.stderr)
    except EmulationUnavailable as error:
        print(f"emulation: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
