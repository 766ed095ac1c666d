"""How a dashboard's proxy starts its app: ready when it answers, failed as soon as it exits, its output always read.

jhsingle-native-proxy 0.8.3 (through simpervisor 0.4) had three faults that a busy hub turns into dashboards that
never load:

- An app not answering within `--ready-timeout` (10 s by default) was "not ready", and the proxy then waited for
  its whole output with `communicate()`, that is for the app to exit, which a slow app never does: the proxy held
  its start lock forever and every later request of every viewer hung. On a loaded 2-core machine voila takes
  more than 10 s to import (tests/docker/test_dashboards.py saw it: no output at all for two minutes).
- The app's stdout and stderr were pipes nobody read until it was ready: an app writing more than a pipe's 64 KiB
  before answering blocked on its own log.
- An app that exited with an error was started again and again until the timeout: its error page came late.

Here the app's output is read from the start (each line goes to the proxy's log; the last lines are kept for the
error page), readiness is polled until the app answers, exits or runs out of time (`--ready-timeout`, which the
dashboard proxy defaults to READY_TIMEOUT), and an app out of time is killed so that its output can be shown.
A later request starts an app that is not running again.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from typing import Any

READY_TIMEOUT = 120  # seconds an app may take to answer its first request (a cold start on a busy node)
LAST_LINES = 40  # of each stream, for the error page
CHECK_TIMEOUT = 5  # seconds one readiness request may take


class AppOutput:
    """Reads both pipes of a process until they close, logging each line and keeping the last ones."""

    def __init__(self, process: asyncio.subprocess.Process, log: Any) -> None:
        self.lines: dict[str, deque[str]] = {"stdout": deque(maxlen=LAST_LINES), "stderr": deque(maxlen=LAST_LINES)}
        self._readers = [asyncio.ensure_future(self._read(getattr(process, name), name, log)) for name in self.lines]

    async def _read(self, stream: asyncio.StreamReader | None, name: str, log: Any) -> None:
        while stream is not None:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than the stream's limit: it was dropped
                log.info("app %s: (a line too long to log)", name)
                continue
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\n")
            self.lines[name].append(text)
            log.info("app %s: %s", name, text)

    async def closed(self) -> None:
        await asyncio.gather(*self._readers)

    def text(self, name: str) -> str:
        return "\n".join(self.lines[name]) or "(no output)"


async def wait_until_ready(handler: Any, process: asyncio.subprocess.Process, timeout: float) -> bool:
    """Whether the app answered (any HTTP status) before it exited or `timeout` passed."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline and process.returncode is None:
        try:
            if await asyncio.wait_for(handler._http_ready_func(process), CHECK_TIMEOUT):
                return True
        except asyncio.TimeoutError:
            pass
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)
    return False


async def ensure_process(handler: Any) -> bool:
    """SuperviseAndProxyHandler.ensure_process: True when the app runs and answers; False with its last output in
    `stderr_str` and `stdout_str` (for the error page) when it exited or never answered."""
    state = handler.state
    async with state["proc_lock"]:
        running = state.get("proc")
        if running is not None and running.returncode is None:
            return True
        command = handler.get_cmd()
        handler.log.info("starting the app: %s", command)
        environment = {**os.environ, **handler.get_env()}
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        output = AppOutput(process, handler.log)
        timeout = handler.get_timeout()
        if await wait_until_ready(handler, process, timeout):
            state["proc"] = process
            state["output"] = output  # read until the app ends
            return True
        if process.returncode is None:
            handler.log.error("the app did not answer within %s s: stopped", timeout)
            process.kill()
        await process.wait()
        await output.closed()
        handler.log.error("the app exited with status %s", process.returncode)
        handler.stderr_str = output.text("stderr")
        handler.stdout_str = output.text("stdout")
        return False
