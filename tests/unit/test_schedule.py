"""The build scheduler: parents first, N at once, a failure blocks what is below it (stand-in jobs, no engine)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection

from buildtool.results import Result, Status
from buildtool.schedule import run_parents_first

# root -> a -> a1, root -> b; `c` has its parent outside the run (already there).
ORDER = ["root", "a", "b", "a1", "c"]
PARENTS = {"root": None, "a": "root", "b": "root", "a1": "a", "c": "elsewhere"}


class Recorder:
    """A Reporter keeping the events in order."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.lock = threading.Lock()

    def started(self, target: str) -> None:
        with self.lock:
            self.events.append(f"start {target}")

    def finished(self, result: Result) -> None:
        with self.lock:
            self.events.append(f"{result.status} {result.target}")

    def close(self) -> None:
        pass


def _job(failing: Collection[str] = ()) -> Callable[[str], Result]:
    """A job that builds each target at once, failing those named."""
    def run(name: str) -> Result:
        status: Status = "failed" if name in failing else "built"
        return Result(name, status, 0.0, None, "it broke" if name in failing else "")
    return run


def _statuses(results: list[Result]) -> dict[str, str]:
    return {r.target: r.status for r in results}


def test_one_at_a_time_runs_in_build_order() -> None:
    recorder = Recorder()
    results = run_parents_first(ORDER, PARENTS, _job(), recorder, jobs=1)
    assert [r.target for r in results] == ORDER
    assert [e for e in recorder.events if e.startswith("start")] == [f"start {name}" for name in ORDER]


def test_a_target_starts_only_after_its_parent_and_siblings_run_at_once() -> None:
    both = threading.Barrier(2, timeout=10)  # a and b must be running together to pass it
    recorder = Recorder()

    def run(name: str) -> Result:
        if name in ("a", "b"):
            both.wait()
        return Result(name, "built", 0.0, None)

    results = run_parents_first(ORDER, PARENTS, run, recorder, jobs=2)
    assert all(r.ok for r in results)
    events = recorder.events
    for name, parent in PARENTS.items():
        if parent in ORDER:
            assert events.index(f"built {parent}") < events.index(f"start {name}")


def test_a_failure_blocks_its_descendants_and_keeps_the_others_results() -> None:
    results = run_parents_first(ORDER, PARENTS, _job({"a"}), Recorder(), jobs=2, keep_going=True)
    assert [r.target for r in results] == ORDER  # build order, whatever finished first
    assert _statuses(results) == {"root": "built", "a": "failed", "b": "built", "a1": "blocked", "c": "built"}
    assert results[ORDER.index("a1")].detail == "parent a failed"


def test_without_keep_going_nothing_new_starts_after_a_failure() -> None:
    recorder = Recorder()
    results = run_parents_first(ORDER, PARENTS, _job({"root"}), recorder, jobs=1)
    assert _statuses(results) == {"root": "failed", "a": "blocked", "b": "blocked", "a1": "blocked", "c": "not started"}
    assert [e for e in recorder.events if e.startswith("start")] == ["start root"]


def test_what_runs_when_a_target_fails_still_finishes() -> None:
    """x fails at once while y, started with it, is still building: y's result is kept, z never starts."""
    def run(name: str) -> Result:
        if name == "y":
            time.sleep(0.2)
        return Result(name, "failed" if name == "x" else "built", 0.0, None)

    results = run_parents_first(["x", "y", "z"], {}, run, Recorder(), jobs=2)
    assert _statuses(results) == {"x": "failed", "y": "built", "z": "not started"}


def test_every_target_is_reported_once_started_and_once_finished() -> None:
    recorder = Recorder()
    run_parents_first(ORDER, PARENTS, _job({"b"}), recorder, jobs=3, keep_going=True)
    finished = [e.split(" ")[-1] for e in recorder.events if not e.startswith("start")]
    assert sorted(finished) == sorted(ORDER)
    assert sorted(e for e in recorder.events if e.startswith("start")) == sorted(f"start {n}" for n in ORDER)
