"""Build progress for people: plain lines when stderr is not a terminal, a live table (target, state, elapsed)
when it is. Both receive the same two events from the scheduler: a target started, a target finished."""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

from buildtool.results import Result, format_size

REFRESH_SECONDS = 0.5


class Reporter(Protocol):
    def started(self, target: str) -> None: ...
    def finished(self, result: Result) -> None: ...
    def close(self) -> None: ...


class QuietReporter:
    """For callers that only want the results (tests, benchmarks)."""

    def started(self, target: str) -> None:
        pass

    def finished(self, result: Result) -> None:
        pass

    def close(self) -> None:
        pass


class LineReporter:
    """One line per event; a failure's output tail follows its line."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total, self.stream, self.done = total, stream, 0

    def started(self, target: str) -> None:
        print(f"[{self.done}/{self.total}] {target}: building", file=self.stream, flush=True)

    def finished(self, result: Result) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {describe(result)}", file=self.stream, flush=True)
        if result.status == "failed" and "\n" in result.detail:
            print("    " + "\n    ".join(result.detail.splitlines()[1:]), file=self.stream, flush=True)

    def close(self) -> None:
        pass


class LiveReporter:
    """A table redrawn in place: every target with its state and elapsed time."""

    def __init__(self, targets: list[str], stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.rows: dict[str, list] = {name: ["waiting", None, None] for name in targets}  # state, start, seconds
        self.lock = threading.Lock()
        self.drawn = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._refresh, daemon=True)
        self.thread.start()

    def started(self, target: str) -> None:
        with self.lock:
            self.rows[target][:2] = ["building", time.monotonic()]

    def finished(self, result: Result) -> None:
        with self.lock:
            self.rows[result.target] = [result.status, None, result.seconds]

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self._draw()

    def _refresh(self) -> None:
        while not self.stop.wait(REFRESH_SECONDS):
            self._draw()

    def _draw(self) -> None:
        with self.lock:
            width = max(len(name) for name in self.rows)
            lines = []
            for name, (state, start, seconds) in self.rows.items():
                elapsed = seconds if seconds is not None else (time.monotonic() - start if start else None)
                lines.append(f"{name:<{width}}  {state:<11}  {'' if elapsed is None else f'{elapsed:6.1f}s'}")
            up = f"\x1b[{self.drawn}F" if self.drawn else ""
            self.stream.write(up + "".join(f"\x1b[2K{line}\n" for line in lines))
            self.stream.flush()
            self.drawn = len(lines)


def describe(result: Result) -> str:
    size = f", {format_size(result.size)}" if result.size else ""
    detail = f" ({result.detail.splitlines()[0]})" if result.detail else ""
    return f"{result.target}: {result.status} in {result.seconds:.1f}s{size}{detail}"


def reporter_for(targets: list[str], stream: TextIO = sys.stderr) -> Reporter:
    return LiveReporter(targets, stream) if stream.isatty() else LineReporter(len(targets), stream)
