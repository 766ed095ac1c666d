"""What only the build moment knows: the commit, its time, and today's date."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildInfo:
    git_sha: str | None  # 12 hex digits, None outside a git checkout
    build_date: str  # YYYY-MM-DD, UTC: the date tag
    source_time: str | None = None  # the commit's time (or SOURCE_DATE_EPOCH), ISO 8601, UTC

    @classmethod
    def detect(cls, project_dir: Path) -> BuildInfo:
        sha = _git(project_dir, "rev-parse", "--short=12", "HEAD")
        epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(project_dir, "log", "-1", "--format=%ct")
        source_time = None
        if epoch and epoch.isdigit():
            source_time = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat(timespec="seconds")
        return cls(sha, dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"), source_time)


def _git(project_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None
