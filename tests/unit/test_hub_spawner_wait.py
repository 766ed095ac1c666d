"""The spawners' wait for a starting server (containds_hub.readiness), against real sockets on 127.0.0.1: it sees a
server as soon as it listens, and gives up when its container ended or its time is up."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from containds_hub import readiness


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _running() -> bool:
    return True


def test_a_server_is_seen_within_a_fraction_of_a_second_of_listening() -> None:
    port = _free_port()

    async def scenario() -> float:
        async def listen_later() -> tuple[asyncio.Server, float]:
            await asyncio.sleep(0.5)
            server = await asyncio.start_server(lambda _, writer: writer.close(), "127.0.0.1", port)
            return server, time.monotonic()

        later = asyncio.ensure_future(listen_later())
        assert await readiness.wait_until_listening("127.0.0.1", port, 10, _running)
        seen = time.monotonic()
        server, listening = await later
        server.close()
        return seen - listening

    late = asyncio.run(scenario())
    assert late < 0.25, f"seen {late:.2f} s after it listened"


def test_an_ended_server_stops_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readiness, "POLL_EVERY", 0.2)

    async def ended() -> bool:
        return False

    started = time.monotonic()
    assert not asyncio.run(readiness.wait_until_listening("127.0.0.1", _free_port(), 30, ended))
    assert time.monotonic() - started < 2


def test_the_wait_ends_at_its_timeout() -> None:
    started = time.monotonic()
    assert not asyncio.run(readiness.wait_until_listening("127.0.0.1", _free_port(), 0.5, _running))
    assert 0.5 <= time.monotonic() - started < 1.5
