"""How many targets `build` makes at once: `-j N`, else $BUILDTOOL_JOBS, else what the machine's cores and memory
allow."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from buildtool.errors import UsageError

JOBS_ENV = "BUILDTOOL_JOBS"
# One build job at a time per core and per 4 GiB. A job is one `docker build`, mostly one process at a time (pip,
# apt, dpkg, R's package setup): a second job per core only competes for it, while one per core overlaps one
# target's downloads and unpacking with another's (bench/results-speed.md: -j2 on 2 cores took 0.61x the time of
# -j1). Memory bounds it too: a job's peak (pip resolving and unpacking large wheels such as numba or scipy, dpkg
# with TeX and R, the engine's snapshots) is a GiB or two, an estimate rather than a measurement; 4 GiB a job leaves
# room for the engine (dockerd, BuildKit) and the page cache, so that parallel jobs do not swap or meet the OOM
# killer on a small machine. The project's machines (2 cores, 23 GiB) get 2.
GIB_PER_JOB = 4
GIB = 1024**3


@dataclass(frozen=True)
class Machine:
    cores: int  # the CPUs this process may run on
    memory_gib: int  # physical memory, whole GiB

    @classmethod
    def detect(cls) -> Machine:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return cls(cores=max(1, cores), memory_gib=memory // GIB)

    def describe(self) -> str:
        return f"{self.cores} core{'s' if self.cores != 1 else ''}, {self.memory_gib} GiB"


@dataclass(frozen=True)
class Jobs:
    count: int
    reason: str  # where the count comes from, for the one line `build` prints


def default_jobs(machine: Machine) -> int:
    """min(cores, memory_GiB // 4), at least 1 (GIB_PER_JOB says why)."""
    return max(1, min(machine.cores, machine.memory_gib // GIB_PER_JOB))


def choose_jobs(requested: int | None, environ: Mapping[str, str], machine: Machine) -> Jobs:
    """`-j N` (`requested`) first, then $BUILDTOOL_JOBS, then `default_jobs`; a count below 1 is refused."""
    if requested is not None:
        return Jobs(_at_least_one(requested, f"-j {requested}"), f"-j {requested}")
    text = environ.get(JOBS_ENV, "").strip()
    if text:
        if not text.isdigit():
            raise UsageError(f"{JOBS_ENV}={text}: a whole number of at least 1 expected")
        return Jobs(_at_least_one(int(text), f"{JOBS_ENV}={text}"), f"{JOBS_ENV}={text}")
    return Jobs(default_jobs(machine), machine.describe())


def _at_least_one(count: int, given: str) -> int:
    if count < 1:
        raise UsageError(f"{given}: at least 1 expected")
    return count
