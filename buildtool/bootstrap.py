"""Make the Debian root image from Debian's packages (debootstrap + docker import): no registry needed.

For another platform than the machine's (`--platform`), debootstrap installs that architecture's packages, running
their scripts under emulation (emulation.py), and BuildKit makes the image, so that its config names the platform.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from buildtool.engine import Builder, build_rootfs_image, import_rootfs
from buildtool.errors import BuildToolError
from buildtool.matrix import Root
from buildtool.platforms import KNOWN

LOGGER = logging.getLogger(__name__)
BOOTSTRAP_VERSION = "1"  # part of the root's fingerprint: bump when the steps below change

# Written into the root so every layer above inherits lean apt behaviour.
APT_CONFIG = """\
// Written by buildtool bootstrap: small images, no interactive prompts.
APT::Install-Recommends "false";
APT::Install-Suggests "false";
"""
IMAGE_CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["bash"]',
)


def root_fingerprint(root: Root, foreign: str | None = None) -> str:
    """What the root is made of; a foreign platform's (`foreign`) names its architecture too."""
    native = f"debootstrap/{BOOTSTRAP_VERSION}/{root.suite}/{root.variant}"
    return native if foreign is None else f"{native}/{KNOWN[foreign].debian}"


def bootstrap_root(root: Root, ref: str, labels: dict[str, str], work_dir: Path, log: Path,
                   foreign: tuple[str, Builder] | None = None) -> None:
    """debootstrap `suite` into a scratch directory, tidy it for use as an image, and import it as `ref`; with
    `foreign` (a platform and the builder), that platform's packages, made an image of that platform."""
    _check_host()
    work_dir.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfs-", dir=work_dir) as scratch:
        rootfs = Path(scratch) / "rootfs"
        # No mirror argument: debootstrap's own default mirror is the one to use.
        arch = [f"--arch={KNOWN[foreign[0]].debian}"] if foreign else []
        command = ["debootstrap", *arch, f"--variant={root.variant}", root.suite, str(rootfs)]
        LOGGER.info("running %s (log: %s)", " ".join(command), log)
        with log.open("w", encoding="utf-8") as out:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            raise BuildToolError("debootstrap failed (log: {}):\n  {}".format(log, "\n  ".join(tail)))
        _tidy(rootfs, root.suite)
        if foreign is None:
            import_rootfs(rootfs, ref, labels, IMAGE_CHANGES)
        else:
            platform, builder = foreign
            build_rootfs_image(builder, rootfs, ref, labels, IMAGE_CHANGES, platform,
                               log.with_name(f"{log.stem}-image.log"))


def _check_host() -> None:
    if shutil.which("debootstrap") is None:
        raise BuildToolError("bootstrap needs debootstrap: install it (apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise BuildToolError("bootstrap needs root (debootstrap creates device nodes and chroots): run it as root")


def _tidy(rootfs: Path, suite: str) -> None:
    """Add the updates and security suites, drop package lists and caches, forget the host's identity."""
    sources = rootfs / "etc/apt/sources.list"
    main_line = sources.read_text(encoding="utf-8").splitlines()[0]  # "deb <mirror> <suite> main"
    kind, mirror, _suite, *components = main_line.split()
    sources.write_text(
        "\n".join([
            main_line,
            " ".join([kind, mirror, f"{suite}-updates", *components]),
            " ".join([kind, f"{mirror.rstrip('/')}-security", f"{suite}-security", *components]),
        ]) + "\n",
        encoding="utf-8",
    )
    (rootfs / "etc/apt/apt.conf.d/10buildtool").write_text(APT_CONFIG, encoding="utf-8")
    for directory in ("var/lib/apt/lists", "var/cache/apt", "var/log", "tmp"):
        _empty(rootfs / directory)
    for path in ("etc/resolv.conf", "etc/hostname"):  # docker provides both at run time
        (rootfs / path).write_text("", encoding="utf-8")


def _empty(directory: Path) -> None:
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if directory.name == "lists":
        (directory / "partial").mkdir()
