"""A JupyterHub of one's own, as hub/README.md's "Use in your own JupyterHub" sets it up: a plain virtual environment
with JupyterHub and DockerSpawner from PyPI plus the wheels `build` writes (build/wheels/), a jupyterhub_config.py of
cdsdashboards' documented lines and one call to `containds_hub.configure`, JupyterHub run on this machine as a
process (no hub image), spawning containers on the local engine."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import requests

from tests.hub.deployment import Hub, free_port
from tests.waiting import wait_until

# The seed's lines (cdsdashboards' DockerSpawner documentation), then what any DockerSpawner hub chooses for itself
# (where it listens, the network its servers share, how users log in), then the package's one call.
CONFIG = """\
from cdsdashboards.app import CDS_TEMPLATE_PATHS
from cdsdashboards.hubextension import cds_extra_handlers

c.JupyterHub.spawner_class = 'cdsdashboards.hubextension.spawners.variabledocker.VariableDockerSpawner'
c.JupyterHub.allow_named_servers = True
c.DockerSpawner.name_template = "{{prefix}}-{{username}}-{{servername}}"
c.DockerSpawner.image = {image!r}
c.JupyterHub.template_paths = CDS_TEMPLATE_PATHS
c.JupyterHub.extra_handlers = cds_extra_handlers
c.CDSDashboardsConfig.builder_class = 'cdsdashboards.builder.dockerbuilder.DockerBuilder'

# This hub's own choices, as for any hub with DockerSpawner.
c.JupyterHub.bind_url = 'http://127.0.0.1:{port}'
c.JupyterHub.hub_ip = {gateway!r}  # the servers' network's gateway: this machine, as the containers see it
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{proxy_api_port}'
c.DockerSpawner.network_name = {network!r}
c.DockerSpawner.prefix = {prefix!r}
c.JupyterHub.authenticator_class = 'dummy'
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{'alice'}}
c.JupyterHub.cleanup_servers = False

import containds_hub
containds_hub.configure(c, home_volume={home_volume!r})
"""


@dataclass
class OwnHub(Hub):
    """The hub process; its state (database, cookie secret, log) in `directory`."""

    directory: Path = Path()
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        return self.directory / "jupyterhub.log"

    def start(self) -> None:
        venv_bin = self.directory / "venv" / "bin"
        environment = {key: value for key, value in os.environ.items() if not key.startswith("CDS_")}
        environment["PATH"] = f"{venv_bin}{os.pathsep}{environment['PATH']}"
        # Debian's configurable-http-proxy keeps its modules where Debian's node looks; another node on PATH
        # (e.g. from nodesource) finds them only through NODE_PATH.
        environment["NODE_PATH"] = os.pathsep.join(["/usr/share/nodejs", "/usr/lib/nodejs",
                                                    environment.get("NODE_PATH", "")]).rstrip(os.pathsep)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen([str(venv_bin / "jupyterhub"), "-f", "jupyterhub_config.py"],
                                            cwd=self.directory, env=environment, stdout=log, stderr=log)
        self.wait_until_up()

    def wait_until_up(self, timeout: float = 120) -> float:
        """As for the hub image, but a hub process that exits fails the wait at once, with its log."""
        started = time.monotonic()

        def answering() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with status {self.process.returncode}:\n{self.logs(60)}")
            return requests.get(f"{self.base_url}/hub/api", timeout=5).status_code == 200

        wait_until(answering, timeout, interval=0.5, ignoring=(requests.RequestException,),
                   message=lambda: f"the hub did not come up within {timeout:.0f} s:\n{self.logs(60)}")
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def restart(self) -> float:
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started

    def logs(self, tail: int | None = None) -> str:
        lines = self.log_file.read_text(errors="replace").splitlines() if self.log_file.exists() else []
        return "\n".join(lines[-tail:] if tail else lines)


def make_venv(directory: Path, wheels: Path, jupyterhub: str, dockerspawner: str) -> None:
    """JupyterHub and DockerSpawner from PyPI, the package and the patched cdsdashboards from `wheels`."""
    venv = directory / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    package = next(wheels.glob("containds_hub-*.whl"))
    result = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--find-links", str(wheels),
         f"jupyterhub=={jupyterhub}", f"dockerspawner=={dockerspawner}", str(package)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]


def start_own_hub(client: docker.DockerClient, directory: Path, project: str, line: str, singleuser_image: str,
                  wheels: Path, dockerspawner: str) -> OwnHub:
    make_venv(directory, wheels, line, dockerspawner)
    for earlier in client.networks.list(names=[f"{project}-net"]):  # an earlier run's
        earlier.remove()
    network = client.networks.create(f"{project}-net")
    network.reload()
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    port = free_port()
    environment = {"CDS_CONTAINER_PREFIX": project, "CDS_HOME_VOLUME": f"{project}-home-{{username}}",
                   "CDS_DOCKER_NETWORK": network.name, "CDS_HUB_HOST": f"{project}-hub"}  # (a process, no container)
    password = secrets.token_urlsafe(12)
    (directory / "jupyterhub_config.py").write_text(CONFIG.format(
        image=singleuser_image, port=port, gateway=gateway, hub_port=free_port(), proxy_api_port=free_port(),
        network=network.name, prefix=project, password=password, home_volume=environment["CDS_HOME_VOLUME"]))
    hub = OwnHub(f"http://127.0.0.1:{port}", password, environment, client, line, project, directory=directory)
    hub.remove_leftovers()
    try:
        hub.start()
    except BaseException:
        remove_own_hub(hub)
        raise
    return hub


def remove_own_hub(hub: OwnHub) -> None:
    hub.stop()
    hub.remove_leftovers()
    with contextlib.suppress(docker.errors.NotFound):
        hub.client.networks.get(hub.environment["CDS_DOCKER_NETWORK"]).remove()
