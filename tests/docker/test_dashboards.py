"""Every dashboard framework an image claims, served exactly as cdsdashboards would serve it.

The command is the one the pinned cdsdashboards builds for a dashboard server: the hub's presentation_cmd
(matrix.yaml: start.sh, then jhsingle-native-proxy through containds-dashboard-proxy), the launcher's args
(cdsdashboards' built-in launcher, read from the cdsdashboards inside the image, merged with the matrix's
override as extra_presentation_launchers is), then --presentation-path, --ip and --port, under a
JupyterHub-style URL prefix. Only the hub authentication is off (--authtype=none). The page must answer 200
and a real browser must show what only the fixture app computes (tests/fixtures/apps/<framework>/). The
framework itself must listen on loopback only: the proxy's port is the only one other containers can open.
"""

from __future__ import annotations

import json

import docker
import pytest
import requests
from docker.models.containers import Container

from buildtool.graph import Graph
from tests.conftest import PROJECT_DIR
from tests.docker.browser import chromium, visible_text_contains
from tests.docker.containers import TrackedContainer, exposed_ports, ip_address, listening_sockets
from tests.waiting import wait_until

APPLIES_TO = "base-notebook"  # every singleuser image; which frameworks each has comes from the matrix
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "apps"
BASE_URL = "/user/alice/dash-fixture/"  # what JupyterHub gives a named server, trailing slash included
APPS_DIR = "/home/jovyan/dashboards"

BUILTIN_LAUNCHERS = """
import json
from cdsdashboards.hubextension.spawners.variablemixin import VariableMixin
launchers = VariableMixin.builtin_presentation_launchers
print(json.dumps({name: {k: v for k, v in spec.items() if not callable(v)} for name, spec in launchers.items()}))
"""


@pytest.fixture(scope="module")
def builtin_launchers(docker_client: docker.DockerClient, image: str) -> dict[str, dict]:
    output = docker_client.containers.run(image, ["-c", BUILTIN_LAUNCHERS], entrypoint=["python3"], remove=True)
    return json.loads(output)


def cdsdashboards_command(cmd: tuple[str, ...], launcher: dict, presentation_path: str) -> list[str]:
    """The spawner's cmd + get_args() for a dashboard server (VariableMixin.get_args, DockerSpawner's ip/port)."""
    return [*cmd, *launcher.get("args", []), f"--presentation-path={presentation_path}", "--ip=0.0.0.0",
            "--port=8888", "--authtype=none"]


def cdsdashboards_env(launcher: dict, presentation_path: str) -> dict[str, str]:
    """The launcher's env with cdsdashboards' substitutions, plus the prefix JupyterHub gives the server."""
    values = {"base_url": BASE_URL, "presentation_path": presentation_path,
              "presentation_dirname": presentation_path.rsplit("/", 1)[0], "username": "alice"}
    env = {"JUPYTERHUB_SERVICE_PREFIX": BASE_URL, "JUPYTERHUB_USER": "alice"}
    for key, value in launcher.get("env", {}).items():
        for name, replacement in values.items():
            value = value.replace("{" + name + "}", replacement)
        env[key] = value
    return env


def test_dashboard_is_served_as_cdsdashboards_serves_it(
    container: TrackedContainer, graph: Graph, builtin_launchers: dict, framework_name: str
) -> None:
    framework = graph.matrix.frameworks[framework_name]
    launcher = {**builtin_launchers.get(framework.presentation_type, {}), **framework.launcher.as_config()}
    assert launcher.get("args"), f"no launcher for {framework.presentation_type}"
    server, url, expected = serve_fixture(container, graph.matrix.hub.presentation_cmd, framework_name, launcher)
    _wait_until_served(url, server)
    with chromium() as browser:
        shown = visible_text_contains(browser, url, expected)
    assert shown, f"{expected!r} never appeared at {url}\n{shown.evidence}\n{_log(server)}"
    sockets = listening_sockets(server)
    assert len(sockets) > 1, f"only the proxy listens: the {framework_name} app is not running"
    assert exposed_ports(server) == {8888}, f"listening beyond loopback: {sorted(sockets)}"


def serve_fixture(container: TrackedContainer, presentation_cmd: tuple[str, ...], framework_name: str,
                  launcher: dict) -> tuple[Container, str, str]:
    """Start the framework's fixture app as cdsdashboards starts a dashboard server; returns the container, the
    dashboard's URL and the text only the app computes."""
    app_dir = FIXTURES / framework_name
    entry = next(p for p in sorted(app_dir.iterdir()) if p.stem == "app")
    presentation_path = f"{APPS_DIR}/{framework_name}/{entry.name}"
    server = container.start(
        cdsdashboards_command(presentation_cmd, launcher, presentation_path),
        environment=cdsdashboards_env(launcher, presentation_path),
        volumes={str(app_dir): {"bind": f"{APPS_DIR}/{framework_name}", "mode": "ro"}},
    )
    url = f"http://{ip_address(server)}:8888{BASE_URL}"
    return server, url, (app_dir / "expected.txt").read_text().strip()


def _wait_until_served(url: str, server: Container, timeout: float = 180) -> None:
    """Until the proxy answers 200 (it starts the app on the first request); fails at once if the container exits,
    and with the last answer and the container's log when time runs out."""
    def served() -> bool:
        server.reload()
        if server.status == "exited":
            pytest.fail(f"the container exited before {url} answered\n{_log(server)}", pytrace=False)
        status = requests.get(url, timeout=60).status_code
        assert status == 200, f"{url} answered {status}"
        return True

    wait_until(served, timeout, interval=1, message=lambda: f"{url} did not answer 200\n{_log(server)}",
               ignoring=(AssertionError, requests.RequestException))


def _log(server: Container) -> str:
    return server.logs().decode("utf-8", "replace")[-3000:]
