"""Run one job per target, parents first and up to N at once; a failure blocks the targets below it.

graphlib's TopologicalSorter says which targets are ready (their parent done, or not in this run); of the ready
ones, the earliest in build order starts first. Each job's outcome is a Result, so one failing target never
loses the others' results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter

from buildtool.results import Result
from buildtool.status import Reporter


def run_parents_first(
    order: Sequence[str],
    parents: Mapping[str, str | None],
    run: Callable[[str], Result],
    reporter: Reporter,
    jobs: int = 1,
    keep_going: bool = False,
) -> list[Result]:
    """`run` each name of `order` (build order), up to `jobs` at once, each once its parent (when that is in
    `order`) is done. A failure blocks its descendants; without `keep_going` nothing new starts after it, what
    runs still finishes. Every outcome goes to `reporter`; results come back in `order`."""
    position = {name: i for i, name in enumerate(order)}
    sorter = TopologicalSorter({name: _parent_in(parents.get(name), position) for name in order})
    sorter.prepare()
    results: dict[str, Result] = {}
    ready: list[str] = []  # returned by the sorter, not started yet: kept in build order
    running: dict[Future[Result], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while sorter.is_active():
            ready = sorted([*ready, *sorter.get_ready()], key=position.__getitem__)
            settled = False
            for name in list(ready):
                skipped = _not_run(name, parents.get(name), results, keep_going)
                if skipped is not None:
                    ready.remove(name)
                    results[name] = skipped
                    reporter.finished(skipped)
                    sorter.done(name)  # its children become ready, to be blocked in turn
                    settled = True
                elif len(running) < max(1, jobs):
                    ready.remove(name)
                    reporter.started(name)
                    running[pool.submit(run, name)] = name
            if settled or not running:
                continue  # what settling made ready is handled before waiting
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                results[name] = future.result()
                reporter.finished(results[name])
                sorter.done(name)
    return [results[name] for name in order]


def _parent_in(parent: str | None, run: Mapping[str, int]) -> list[str]:
    """The parent a target waits for: none when it is not part of this run (it is there already)."""
    return [parent] if parent is not None and parent in run else []


def _not_run(name: str, parent: str | None, results: Mapping[str, Result], keep_going: bool) -> Result | None:
    """The result of a target that must not start, or None when it may."""
    above = results.get(parent) if parent is not None else None
    if above is not None and not above.ok:
        return Result(name, "blocked", 0.0, None, f"parent {above.target} {above.status}")
    if not keep_going and any(result.status == "failed" for result in results.values()):
        return Result(name, "not started", 0.0, None, "an earlier target failed")
    return None
