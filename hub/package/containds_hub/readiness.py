"""When a starting server is up: as soon as it accepts a connection (the spawners' `start` waits for it).

JupyterHub's own wait, after a spawner's `start` returns, looks again after a random pause of up to 0.2, 0.4, ...
5 s; in a burst, servers came up while it paused and were reported ready seconds late (bench/results-burst.md).
A look here costs one refused connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

LOOK_EVERY = 0.1  # seconds between two connection attempts
POLL_EVERY = 2.0  # seconds between two looks at whether the server's container still runs


async def wait_until_listening(host: str, port: int, timeout: float,
                               still_running: Callable[[], Awaitable[bool]]) -> bool:
    """True once (host, port) accepts a connection; False when `still_running()` says the server ended or `timeout`
    seconds pass. Either way JupyterHub's own wait then decides, as it did without this one."""
    deadline = time.monotonic() + timeout
    next_poll = time.monotonic() + POLL_EVERY
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
        except (OSError, asyncio.TimeoutError):
            pass
        else:
            writer.close()
            return True
        if time.monotonic() >= next_poll:
            if not await still_running():
                return False
            next_poll = time.monotonic() + POLL_EVERY
        await asyncio.sleep(LOOK_EVERY)
    return False
