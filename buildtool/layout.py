"""Where the build tool keeps what it writes: one build directory (default ./build, git-ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from buildtool import platforms
from buildtool.matrix import Matrix


@dataclass(frozen=True)
class BuildDir:
    root: Path

    def for_line(self, matrix: Matrix) -> BuildDir:
        """The default JupyterHub line's build directory is the root; another line's, ROOT/lines/<version>
        (the lines' targets have the same names). Within it, a foreign platform's is platforms/<machine>."""
        line = self if matrix.default_line else BuildDir(self.root / "lines" / matrix.line)
        if not matrix.foreign_platform:
            return line
        return BuildDir(line.root / "platforms" / platforms.KNOWN[matrix.platform].machine)

    @property
    def contexts(self) -> Path:
        """Each target's rendered Dockerfile and build context, in a directory named after it."""
        return self.root / "contexts"

    @property
    def templates_cache(self) -> Path:
        """Compiled templates: compiling them again would be most of a no-op build's rendering time."""
        return self.root / "cache" / "jinja"

    @property
    def rootfs(self) -> Path:
        """Scratch space for debootstrap."""
        return self.root / "rootfs"

    def artifacts(self, name: str) -> Path:
        """Files a build writes besides images (e.g. `wheels`: the hub's wheels, for hubs of your own)."""
        return self.root / name

    def log(self, target: str) -> Path:
        return self.root / "logs" / f"{target}.log"

    def manifest(self, target: str) -> Path:
        """The JSON manifest of a built image (its markdown twin has the suffix .md)."""
        return self.root / "manifests" / f"{target}.json"

    def sbom(self, target: str) -> Path:
        """The CycloneDX SBOM of a built image, beside its manifest (`.cdx.json`, CycloneDX's file naming)."""
        return self.root / "manifests" / f"{target}.cdx.json"
