"""A throw-away container registry (Debian's docker-registry) on a free loopback port, for push tests and Swarm."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.waiting import wait_until

REGISTRY_BINARY = "/usr/bin/docker-registry"


@contextmanager
def running_registry(work: Path) -> Iterator[str]:
    """Serve a registry storing under `work`; yields its host:port (127.0.0.1: the engine trusts it without
    TLS, as it does every loopback registry)."""
    if not Path(REGISTRY_BINARY).exists():
        pytest.fail(f"{REGISTRY_BINARY} is missing: scripts/setup installs Debian's docker-registry")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = work / "config.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {work / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    log = work / "registry.log"
    with log.open("wb") as output:
        process = subprocess.Popen([REGISTRY_BINARY, "serve", str(config)], stdout=output, stderr=output)
    try:
        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"{REGISTRY_BINARY} exited with status {process.returncode}:\n"
                            f"{log.read_text(errors='replace')[-2000:]}", pytrace=False)
            status = requests.get(f"http://127.0.0.1:{port}/v2/", timeout=2).status_code
            assert status == 200, f"/v2/ answered {status}"
            return True

        wait_until(answers, 60, interval=0.3, message=f"the registry on 127.0.0.1:{port} did not answer",
                   ignoring=(AssertionError, requests.RequestException))
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
