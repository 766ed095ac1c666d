"""Jupyter itself: the default command serves Jupyter, the healthcheck turns healthy, versions match the hub, and
the server's start-up options of Jupyter Docker Stacks (NB_UMASK, GEN_CERT, RESTARTABLE, DOCKER_STACKS_JUPYTER_CMD)
work as documented."""

from __future__ import annotations

import contextlib
import time

import requests
import urllib3
from docker.models.containers import Container

from buildtool.graph import Graph
from tests.docker.containers import TrackedContainer, ip_address, listening_sockets

APPLIES_TO = "base-notebook"
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # GEN_CERT's certificate is self-signed


def test_default_command_serves_jupyter_and_turns_healthy(container: TrackedContainer) -> None:
    server = container.start()
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    response = _get(f"http://{ip_address(server)}:8888/api")
    assert response.status_code == 200
    assert "version" in response.json()


def test_jupyter_port_moves_the_server(container: TrackedContainer) -> None:
    server = container.start(environment={"JUPYTER_PORT": "9999"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
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


def _get(url: str, timeout: float = 30, verify: bool = True) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5, verify=verify)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _server_process(server: Container, name: str) -> dict[str, str]:
    """/proc/<pid>/status of the process whose command line holds `name`, as a mapping."""
    script = ("import os, sys\n"
              "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
              "    try: cmdline = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()\n"
              "    except OSError: continue\n"
              "    if sys.argv[1] in cmdline and 'python3 -c' not in cmdline:\n"
              "        print(pid); print(open(f'/proc/{pid}/status').read()); break\n")
    result = server.exec_run(["python3", "-c", script, name])
    lines = result.output.decode().splitlines()
    assert lines, f"no process running {name!r}"
    status = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    return {"Pid": lines[0], **{key: value.strip() for key, value in status.items()}}


def test_nb_umask_applies_to_the_server(container: TrackedContainer) -> None:
    server = container.start(environment={"NB_UMASK": "002"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    assert _server_process(server, "jupyter-lab")["Umask"] == "0002"


def test_gen_cert_serves_https_and_stays_healthy(container: TrackedContainer) -> None:
    server = container.start(environment={"GEN_CERT": "yes"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    response = _get(f"https://{ip_address(server)}:8888/api", verify=False)
    assert response.status_code == 200 and "version" in response.json()


def test_restartable_starts_the_server_again_when_it_exits(container: TrackedContainer) -> None:
    server = container.start(environment={"RESTARTABLE": "yes"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    first = _server_process(server, "jupyter-lab")["Pid"]
    killed = server.exec_run(["python3", "-c", f"import os, signal; os.kill({first}, signal.SIGTERM)"])
    assert killed.exit_code == 0, killed.output.decode()
    restarted = None
    deadline = time.monotonic() + 60
    while restarted in (None, first) and time.monotonic() < deadline:
        time.sleep(1)
        server.reload()
        assert server.status == "running", server.logs().decode()[-2000:]
        with contextlib.suppress(AssertionError):  # between the two servers, none runs
            restarted = _server_process(server, "jupyter-lab")["Pid"]
    assert restarted not in (None, first), "the server was not started again"
    assert _get(f"http://{ip_address(server)}:8888/api").status_code == 200


def test_healthcheck_ignores_proxies_and_follows_the_runtime_dir(container: TrackedContainer) -> None:
    """A server behind a proxy (HTTP(S)_PROXY set for its downloads) is still healthy, wherever its runtime
    files are."""
    unreachable_proxy = "http://127.0.0.1:9"
    server = container.start(environment={"HTTP_PROXY": unreachable_proxy, "HTTPS_PROXY": unreachable_proxy,
                                           "http_proxy": unreachable_proxy, "https_proxy": unreachable_proxy,
                                           "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    assert server.exec_run(["sh", "-c", "ls /tmp/jupyter-runtime/jpserver-*.json"]).exit_code == 0


def test_the_server_listens_on_ipv4_and_ipv6(container: TrackedContainer) -> None:
    server = container.start()
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    # Docker gives containers no IPv6 address unless the network has IPv6: the socket table is the evidence.
    assert {("0.0.0.0", 8888), ("::", 8888)} <= listening_sockets(server)


def test_nbclassic_is_a_jupyter_command_to_start(container: TrackedContainer) -> None:
    server = container.start(environment={"DOCKER_STACKS_JUPYTER_CMD": "nbclassic"})
    assert container.wait_for_health(server) == "healthy", server.logs().decode()[-2000:]
    assert _server_process(server, "nbclassic")
    assert "nbclassic" in server.logs().decode()
