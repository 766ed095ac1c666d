"""JupyterHub configuration of the ContainDS Dashboards hub image.

The wiring cdsdashboards documents for DockerSpawner, plus what it needs on JupyterHub 5: viewers' access
grants (see `dashboard_access`), the launchers of matrix.yaml, one home volume per user. Everything a
deployment chooses comes from CDS_* environment variables (hub/README.md lists them); bad values stop the
hub at start with one line saying what is wrong.
"""

import json
import os
import re
import sys
from pathlib import Path

import docker
import docker.errors
from cdsdashboards.app import CDS_TEMPLATE_PATHS
from cdsdashboards.hubextension import cds_extra_handlers

sys.path.insert(0, str(Path(__file__).parent))
import dashboard_access  # next to this file in the image

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

DEFAULTS = json.loads((Path(__file__).parent / "defaults.json").read_text())  # rendered from matrix.yaml
AUTHENTICATORS = {
    "native": "nativeauthenticator.NativeAuthenticator",
    "dummy": "dummy",  # tests only: one shared password for every user name
}


def fail(message: str) -> None:
    """Stop the hub with one line on stderr (exit status 1)."""
    sys.exit(f"containds-hub: configuration error: {message}")


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


# --- settings from the environment, checked before anything starts -----------------------------------------

image = setting("CDS_SINGLEUSER_IMAGE", DEFAULTS["singleuser_image"])
network = setting("CDS_DOCKER_NETWORK", "containds")
hub_host = setting("CDS_HUB_HOST", "containds-hub")
data_dir = Path(setting("CDS_DATA_DIR", "/srv/jupyterhub/data"))
authenticator = setting("CDS_AUTHENTICATOR", "native")
admin_users = {name.strip() for name in os.environ.get("CDS_ADMIN_USERS", "").split(",") if name.strip()}
port_text = setting("CDS_HUB_PORT", "8000")

if not re.fullmatch(r"[0-9]{1,5}", port_text) or not 0 < int(port_text) < 65536:
    fail(f"CDS_HUB_PORT={port_text!r}: a port number from 1 to 65535 expected")
if authenticator not in AUTHENTICATORS:
    fail(f"CDS_AUTHENTICATOR={authenticator!r}: one of {', '.join(AUTHENTICATORS)} expected")
if authenticator == "dummy" and not os.environ.get("CDS_DUMMY_PASSWORD"):
    fail("CDS_AUTHENTICATOR=dummy needs CDS_DUMMY_PASSWORD (there is no default password)")
if not data_dir.is_dir() or not os.access(data_dir, os.W_OK):
    fail(f"CDS_DATA_DIR={data_dir}: a writable directory expected (mount the hub's data volume there)")
try:
    engine = docker.from_env(timeout=30)
    engine.ping()
except docker.errors.DockerException as exc:
    fail(f"the Docker engine cannot be reached ({exc}); mount /var/run/docker.sock and give the hub its group")
try:
    engine.images.get(image)
except docker.errors.ImageNotFound:
    fail(f"CDS_SINGLEUSER_IMAGE={image}: no such image on this Docker engine; build or pull it first")
try:
    engine.networks.get(network)
except docker.errors.NotFound:
    fail(f"CDS_DOCKER_NETWORK={network}: no such Docker network; the hub and the servers it spawns share it")

# --- cdsdashboards on DockerSpawner, as its documentation wires it --------------------------------------------

c.JupyterHub.spawner_class = "cdsdashboards.hubextension.spawners.variabledocker.VariableDockerSpawner"
c.JupyterHub.allow_named_servers = True
c.DockerSpawner.name_template = "{prefix}-{username}-{servername}"
c.JupyterHub.template_paths = CDS_TEMPLATE_PATHS
c.JupyterHub.extra_handlers = cds_extra_handlers
c.CDSDashboardsConfig.builder_class = "cdsdashboards.builder.dockerbuilder.DockerBuilder"

# Dashboards start through the image's start.sh (its hooks run), with the launchers matrix.yaml sets (an
# rshiny that needs no shiny-server, bokeh with inline resources) merged over cdsdashboards' own.
c.VariableMixin.default_presentation_cmd = ["start.sh", "python3", "-m", "jhsingle_native_proxy.main"]
c.VariableMixin.extra_presentation_launchers = DEFAULTS["presentation_launchers"]

# --- the spawned containers ------------------------------------------------------------------------------------

c.DockerSpawner.image = image
c.DockerSpawner.network_name = network
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.remove = True  # containers are disposable; the user's files live on the volume below
c.DockerSpawner.notebook_dir = "/home/jovyan"
# One volume per user, mounted as the home of the notebook server and of every dashboard server of that user:
# a dashboard serves exactly what its owner wrote.
c.DockerSpawner.volumes = {"containds-home-{username}": "/home/jovyan"}
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# --- the hub itself -----------------------------------------------------------------------------------------------

c.JupyterHub.bind_url = f"http://0.0.0.0:{port_text}"
c.JupyterHub.default_url = "/hub/home"  # viewers log in to see dashboards: start no server for them
c.JupyterHub.cleanup_servers = False  # restarting or upgrading the hub leaves users' servers and dashboards up
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = hub_host  # how spawned containers reach the hub on the shared network
c.JupyterHub.db_url = f"sqlite:///{data_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(data_dir / "jupyterhub_cookie_secret")  # made on first start
c.ConfigurableHTTPProxy.pid_file = str(data_dir / "jupyterhub-proxy.pid")

c.JupyterHub.authenticator_class = AUTHENTICATORS[authenticator]
c.Authenticator.admin_users = admin_users
if authenticator == "native":
    import nativeauthenticator

    # Sign-ups wait for an admin's approval; its pages need its templates next to cdsdashboards'.
    c.JupyterHub.template_paths = [*CDS_TEMPLATE_PATHS, str(Path(nativeauthenticator.__file__).parent / "templates")]
    c.NativeAuthenticator.open_signup = False
    c.Authenticator.allow_all = True  # whoever NativeAuthenticator lets log in (approved sign-ups)
else:
    c.DummyAuthenticator.password = os.environ["CDS_DUMMY_PASSWORD"]
    c.Authenticator.allow_all = True

# --- viewers' access to dashboards ----------------------------------------------------------------------------

c.Spawner.pre_spawn_hook = dashboard_access.grant_on_spawn
c.JupyterHub.load_roles = dashboard_access.roles_from_database(c.JupyterHub.db_url)
