"""Jupyter itself: the default command serves Jupyter, the healthcheck turns healthy, versions match the hub, and
the server's start-up options of Jupyter Docker Stacks (NB_UMASK, GEN_CERT, RESTARTABLE, DOCKER_STACKS_JUPYTER_CMD,
a proxy in the environment, JUPYTER_RUNTIME_DIR) work as documented.

The options are checked on one server per image started with all of them, as a user might combine them: one
container instead of six, each test still checking one behaviour.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import docker
import pytest
import requests
import urllib3
from docker.models.containers import Container

from buildtool.graph import Graph
from tests.docker.containers import Health, TrackedContainer, ip_address, listening_sockets
from tests.waiting import wait_until

APPLIES_TO = "base-notebook"
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # GEN_CERT's certificate is self-signed
UNREACHABLE_PROXY = "http://127.0.0.1:9"  # a proxy for the server's downloads that the healthcheck must not use
OPTIONS = {
    "NB_UMASK": "002",
    "GEN_CERT": "yes",
    "RESTARTABLE": "yes",
    "DOCKER_STACKS_JUPYTER_CMD": "nbclassic",
    "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
    **{name: UNREACHABLE_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")},
}


def test_default_command_serves_jupyter_and_turns_healthy(container: TrackedContainer) -> None:
    server = container.start()
    health = container.wait_for_health(server)
    assert health.status == "healthy", health.evidence
    response = _get(f"http://{ip_address(server)}:8888/api")
    assert response.status_code == 200
    assert "version" in response.json()
    # Both address families (Docker gives containers no IPv6 address unless the network has IPv6: the socket
    # table is the evidence).
    assert {("0.0.0.0", 8888), ("::", 8888)} <= listening_sockets(server)


def test_jupyter_port_moves_the_server(container: TrackedContainer) -> None:
    server = container.start(environment={"JUPYTER_PORT": "9999"})
    health = container.wait_for_health(server)
    assert health.status == "healthy", health.evidence
    assert _get(f"http://{ip_address(server)}:9999/api").status_code == 200


def test_start_scripts_are_on_path(container: TrackedContainer) -> None:
    names = ["start-notebook.py", "start-notebook.sh", "start-singleuser.py", "start-singleuser.sh"]
    output = container.check(["bash", "-c", "command -v " + " ".join(names)])
    assert output.split() == [f"/usr/local/bin/{name}" for name in names]


def test_jupyterhub_singleuser_matches_the_hub_version(container: TrackedContainer, graph: Graph) -> None:
    output = container.check(["python", "-c", "import jupyterhub; print(jupyterhub.__version__)"])
    assert output.strip().splitlines()[-1] == graph.matrix.versions["jupyterhub"]
    container.check(["jupyterhub-singleuser", "--help"])


def test_git_is_installed(container: TrackedContainer) -> None:
    assert container.check(["git", "--version"]).startswith("git version")


@pytest.fixture(scope="module")
def optioned(docker_client: docker.DockerClient, image: str) -> Iterator[Container]:
    """The image's default command with every option above, healthy."""
    tracked = TrackedContainer(docker_client, image)
    server = tracked.start(environment=OPTIONS)
    try:
        health = tracked.wait_for_health(server)
        assert health.status == "healthy", health.evidence
        yield server
    finally:
        tracked.remove()


def test_the_healthcheck_ignores_proxies_and_follows_the_runtime_dir(optioned: Container) -> None:
    optioned.reload()  # healthy since the fixture: every check since has passed too, with the proxies set
    health = Health.of(optioned)
    assert health.status == "healthy", health.evidence
    assert optioned.exec_run(["sh", "-c", "ls /tmp/jupyter-runtime/jpserver-*.json"]).exit_code == 0


def test_gen_cert_serves_https(optioned: Container) -> None:
    response = _get(f"https://{ip_address(optioned)}:8888/api", verify=False)
    assert response.status_code == 200 and "version" in response.json()


def test_nb_umask_applies_to_the_server(optioned: Container) -> None:
    assert _server_process(optioned, "nbclassic")["Umask"] == "0002"


def test_docker_stacks_jupyter_cmd_starts_nbclassic(optioned: Container) -> None:
    assert "jupyter-nbclassic" in _server_process(optioned, "nbclassic")["Command"]


def test_restartable_starts_the_server_again_when_it_exits(optioned: Container) -> None:
    first = _server_process(optioned, "nbclassic")["Pid"]
    killed = optioned.exec_run(["python3", "-c", f"import os, signal; os.kill({first}, signal.SIGTERM)"])
    assert killed.exit_code == 0, killed.output.decode()

    def restarted() -> str | None:
        optioned.reload()
        assert optioned.status == "running", optioned.logs().decode()[-2000:]  # ends the wait at once
        with contextlib.suppress(AssertionError):  # between the two servers, none runs
            pid = _server_process(optioned, "nbclassic")["Pid"]
            return pid if pid != first else None
        return None

    wait_until(restarted, 60, interval=1, message="the server was not started again")
    url = f"https://{ip_address(optioned)}:8888/api"
    wait_until(lambda: requests.get(url, timeout=5, verify=False).status_code == 200, 60, interval=1,
               message="the restarted server does not answer", ignoring=(requests.RequestException,))


def _server_process(server: Container, name: str) -> dict[str, str]:
    """/proc/<pid>/status of the Jupyter server process (`jupyter-<name>` on its command line), as a mapping,
    with its Pid and Command."""
    script = ("import os, sys\n"
              "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
              "    try: cmdline = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()\n"
              "    except OSError: continue\n"
              "    if 'jupyter-' + sys.argv[1] in cmdline:\n"
              "        print(pid); print('Command:', cmdline); print(open(f'/proc/{pid}/status').read()); break\n")
    result = server.exec_run(["python3", "-c", script, name])
    lines = result.output.decode().splitlines()
    assert lines, f"no jupyter-{name} process running"
    status = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    return {"Pid": lines[0], **{key: value.strip() for key, value in status.items()}}


def _get(url: str, timeout: float = 30, verify: bool = True) -> requests.Response:
    """GET `url` once the server accepts connections (it may still be starting), for up to `timeout` seconds."""
    def connect() -> tuple[requests.Response]:
        return (requests.get(url, timeout=5, verify=verify),)  # a 1-tuple: an answer, whatever its status

    (response,) = wait_until(connect, timeout, interval=0.5, message=f"{url} refused connections",
                             ignoring=(requests.ConnectionError,))
    return response
