"""The tests' one way to wait: for a condition, with a deadline, failing with what was last seen.

A machine with two cores and three test workers is slow at times: every wait is for a condition (never a fixed
sleep, never the first answer), bounded by a deadline long enough for such a machine, and a wait that runs out
says what it waited for and what it saw instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A condition that did not hold before its deadline; `last` is the predicate's last value or exception."""

    def __init__(self, message: str, last: object) -> None:
        super().__init__(message)
        self.last = last


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 1.0,
               message: str | Callable[[], str] = "the condition did not hold",
               ignoring: tuple[type[Exception], ...] = ()) -> T:
    """Call `predicate` until it returns a true value, and return that value; every `interval` seconds, for up
    to `timeout` seconds (it is called at least once, and once more at the deadline's edge).

    A false value (None, False, 0, an empty collection; note that a requests.Response with an error status is
    false too) means "not yet", and so does an exception of a type in `ignoring`: a predicate can say why not
    yet by raising one (e.g. an AssertionError with what it saw). Any other exception ends the wait at once.
    When the deadline passes, WaitTimeout (an AssertionError) is raised with `message` (or what it returns: for
    evidence gathered only then, such as a log), the seconds waited and the last value or exception."""
    started = time.monotonic()
    deadline = started + timeout
    last: object = None
    while True:
        try:
            value = predicate()
        except ignoring as exc:
            last = exc
        else:
            if value:
                return value
            last = value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            text = message() if callable(message) else message
            seen = f"{type(last).__name__}: {last}" if isinstance(last, Exception) else repr(last)
            raise WaitTimeout(f"{text} (waited {time.monotonic() - started:.1f} s; last: {seen})", last)
        time.sleep(min(interval, remaining))
