"""The dashboard proxy's app supervision (images/layers/singleuser/containds_app_process.py), with apps made to be
slow, noisy or broken: a slow app is served once it answers (jhsingle-native-proxy 0.8.3 hung every viewer of an
app that took more than 10 s), an app that logs more than a pipe holds before it answers is not blocked by its own
log, and an app that exits shows its error at once. Run on one image: the proxy is the same in all of them."""

from __future__ import annotations

import time

import pytest
import requests

from tests.docker.containers import TrackedContainer
from tests.waiting import wait_until

APPLIES_TO = "base-notebook"
WITH_FRAMEWORK = "singleuser"
FIRST_ONLY = True  # the smallest singleuser image
BASE_URL = "/user/alice/dash-proxy-test/"

# An HTTP app on the port the proxy gives it, after `delay` seconds and `noise` bytes on stderr.
APP = """
import http.server, sys, time
time.sleep({delay})
sys.stderr.write("x" * {noise} + "\\n"); sys.stderr.flush()
class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"APP-IS-UP")
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Page).serve_forever()
"""
BROKEN = "import sys; print('about to fail'); sys.exit('BROKEN-APP: cannot start')"


def _proxy(container: TrackedContainer, script: str, *args: str):
    # (jhsingle-native-proxy turns {-} into -: a bare -c would be read as one of its own options)
    command = ["containds-dashboard-proxy", "--destport=0", "python3", "{-}c", script, "{port}", *args,
               "--ip=0.0.0.0", "--port=8888", "--authtype=none"]
    return container.start(command, environment={"JUPYTERHUB_SERVICE_PREFIX": BASE_URL},
                           ports={"8888/tcp": ("127.0.0.1", None)})


def _url(server) -> str:
    server.reload()
    port = server.attrs["NetworkSettings"]["Ports"]["8888/tcp"][0]["HostPort"]
    return f"http://127.0.0.1:{port}{BASE_URL}"


def _first_answer(url: str, timeout: float = 60) -> tuple[requests.Response, float]:
    """The proxy's first answer to a viewer (it starts the app on that request), and how long that request took."""
    def answer() -> tuple[requests.Response, float]:
        started = time.monotonic()
        return requests.get(url, timeout=timeout), time.monotonic() - started

    return wait_until(answer, timeout, interval=0.5, ignoring=(requests.ConnectionError,),
                      message=f"the dashboard proxy at {url} never listened")


@pytest.mark.parametrize(("delay", "noise"), [(15, 0), (0, 200_000)], ids=["slower-than-10-s", "noisy"])
def test_an_app_that_is_slow_or_noisy_is_served_once_it_answers(container: TrackedContainer, delay: int,
                                                                  noise: int) -> None:
    server = _proxy(container, APP.format(delay=delay, noise=noise))
    response, _ = _first_answer(_url(server), timeout=120)
    assert response.status_code == 200 and "APP-IS-UP" in response.text, server.logs().decode()[-2000:]
    assert requests.get(_url(server), timeout=30).text == "APP-IS-UP"  # and the next viewer at once


def test_an_app_that_exits_shows_its_error_at_once(container: TrackedContainer) -> None:
    server = _proxy(container, BROKEN)
    response, seconds = _first_answer(_url(server))
    assert response.status_code == 500, response.text[:500]
    assert "BROKEN-APP: cannot start" in response.text and "about to fail" in response.text
    assert seconds < 30, f"the error page took {seconds:.1f} s: the app was waited for after it had exited"
