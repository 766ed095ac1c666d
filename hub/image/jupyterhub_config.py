"""JupyterHub configuration of the ContainDS Dashboards hub image.

The wiring cdsdashboards documents for DockerSpawner, plus what it needs to be safe and to work on JupyterHub 5:
a spawner that lets users choose nothing but a dashboard's presentation (`containds_spawner`), viewers' access
grants (`dashboard_access`), the launchers of matrix.yaml, one home volume per user, resource limits.
Everything a deployment chooses comes from CDS_* environment variables (hub/README.md lists them); bad values
stop the hub at start with one line saying what is wrong.
"""

import json
import os
import re
import sys
from pathlib import Path

import docker
import docker.errors
import docker.types
import docker.utils
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
DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")  # what the engine accepts for names
MEMORY = re.compile(r"[0-9]+[KMGT]?")


def fail(message: str) -> None:
    """Stop the hub with one line on stderr (exit status 1)."""
    sys.exit(f"containds-hub: configuration error: {message}")


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def limit(name: str, default: str, pattern: re.Pattern[str], expected: str) -> str | None:
    """A resource limit setting: None when the operator turned it off with `none`."""
    value = setting(name, default)
    if value.lower() == "none":
        return None
    if not pattern.fullmatch(value) or not re.search(r"[1-9]", value):
        fail(f"{name}={value!r}: {expected}, or none")
    return value


# --- settings from the environment, checked before anything starts -----------------------------------------

spawner_kind = setting("CDS_SPAWNER", "docker")  # docker: containers on this engine; swarm: services
image = setting("CDS_SINGLEUSER_IMAGE", DEFAULTS["singleuser_image"])
allowed_images = [name.strip() for name in os.environ.get("CDS_ALLOWED_IMAGES", "").split(",") if name.strip()]
network = setting("CDS_DOCKER_NETWORK", "containds")
hub_host = setting("CDS_HUB_HOST", "containds-hub")
data_dir = Path(setting("CDS_DATA_DIR", "/srv/jupyterhub/data"))
authenticator = setting("CDS_AUTHENTICATOR", "native")
admin_users = {name.strip() for name in os.environ.get("CDS_ADMIN_USERS", "").split(",") if name.strip()}
port_text = setting("CDS_HUB_PORT", "8000")
container_prefix = setting("CDS_CONTAINER_PREFIX", "jupyter")
home_volume = setting("CDS_HOME_VOLUME", "containds-home-{username}")
mem_limit = limit("CDS_MEM_LIMIT", "2G", MEMORY, "a size such as 512M or 2G expected")
cpu_limit = limit("CDS_CPU_LIMIT", "1", re.compile(r"[0-9]+(\.[0-9]+)?"), "a number of CPUs such as 0.5 or 2 expected")
pids_limit = limit("CDS_PIDS_LIMIT", "1024", re.compile(r"[0-9]+"), "a whole number of processes expected")
auth_cache = setting("CDS_AUTH_CACHE_SECONDS", "30")
constraints = [rule.strip() for rule in os.environ.get("CDS_SWARM_CONSTRAINTS", "").split(",") if rule.strip()]

if not DOCKER_NAME.fullmatch(container_prefix):
    fail(f"CDS_CONTAINER_PREFIX={container_prefix!r}: letters, digits and . _ - expected, not starting with . _ -")
if home_volume.count("{username}") != 1 or not DOCKER_NAME.fullmatch(home_volume.replace("{username}", "u")):
    fail(f"CDS_HOME_VOLUME={home_volume!r}: a volume name with {{username}} once expected (one volume per user)")
if not auth_cache.isdigit():
    fail(f"CDS_AUTH_CACHE_SECONDS={auth_cache!r}: a whole number of seconds expected")
if not re.fullmatch(r"[0-9]{1,5}", port_text) or not 0 < int(port_text) < 65536:
    fail(f"CDS_HUB_PORT={port_text!r}: a port number from 1 to 65535 expected")
if spawner_kind not in ("docker", "swarm"):
    fail(f"CDS_SPAWNER={spawner_kind!r}: docker (containers on this engine) or swarm (Swarm services) expected")
if constraints and spawner_kind != "swarm":
    fail("CDS_SWARM_CONSTRAINTS is set but CDS_SPAWNER is not swarm")
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
if spawner_kind == "docker":
    try:
        engine.images.get(image)
    except docker.errors.ImageNotFound:
        fail(f"CDS_SINGLEUSER_IMAGE={image}: no such image on this Docker engine; build or pull it first")
elif not engine.info().get("Swarm", {}).get("ControlAvailable"):
    fail("CDS_SPAWNER=swarm: this engine is no swarm manager; run the hub on a manager node (hub/README.md, Swarm)")
# (On Swarm every node pulls the image from its registry when it runs a server: nothing to check here.)
try:
    found_network = engine.networks.get(network)
except docker.errors.NotFound:
    fail(f"CDS_DOCKER_NETWORK={network}: no such Docker network; the hub and the servers it spawns share it")
if spawner_kind == "swarm" and found_network.attrs.get("Scope") != "swarm":
    fail(f"CDS_DOCKER_NETWORK={network}: an overlay network expected with CDS_SPAWNER=swarm")

# --- cdsdashboards on DockerSpawner, as its documentation wires it, through the hub's own spawner ---------------

# VariableDockerSpawner, but users choose nothing except a dashboard's presentation (a refusal is HTTP 400),
# and servers' OAuth clients cannot collide (containds_spawner.py). Do not set c.Spawner.apply_user_options:
# the spawner's own is what keeps users from choosing mounts, privileges or images.
c.JupyterHub.spawner_class = {
    "docker": "containds_spawner.ContainDSDockerSpawner",
    "swarm": "containds_spawner.ContainDSSwarmSpawner",  # the same, as Swarm services (hub/README.md, Swarm)
}[spawner_kind]
c.JupyterHub.allow_named_servers = True
# DockerSpawner's own container names, "{prefix}-{username}--{servername}" with both parts escaped, cannot
# collide; cdsdashboards' suggested "{prefix}-{username}-{servername}" gives user bob's server dash-z and user
# bob-dash's server z one name, and a start of either removed the other's container.
c.JupyterHub.template_paths = CDS_TEMPLATE_PATHS
c.JupyterHub.extra_handlers = cds_extra_handlers
# DockerBuilder, naming each dashboard's server validly for JupyterHub 6 and creating it there (containds_builder.py).
c.CDSDashboardsConfig.builder_class = "containds_builder.ContainDSDockerBuilder"
c.CDSDashboardsConfig.server_name_template = "{server}"

# Dashboards start through the image's start.sh (its hooks run) and its dashboard proxy, with the launchers
# matrix.yaml sets (frameworks on 127.0.0.1 only, an rshiny without shiny-server, bokeh with inline resources)
# merged over cdsdashboards' own.
c.VariableMixin.default_presentation_cmd = DEFAULTS["presentation_cmd"]
c.VariableMixin.extra_presentation_launchers = DEFAULTS["presentation_launchers"]

# --- the spawned containers ------------------------------------------------------------------------------------

c.DockerSpawner.image = image
c.DockerSpawner.allowed_images = allowed_images  # empty: users cannot choose an image
c.DockerSpawner.prefix = container_prefix
c.DockerSpawner.network_name = network
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.notebook_dir = "/home/jovyan"
# One volume per user, mounted as the home of the notebook server and of every dashboard server of that user:
# a dashboard serves exactly what its owner wrote.
c.DockerSpawner.volumes = {home_volume: "/home/jovyan"}
# How long a dashboard's proxy trusts the hub's last answer about a viewer (containds-dashboard-proxy): the
# longest a viewer removed from a dashboard's group keeps seeing it.
c.Spawner.environment = {"CDS_AUTH_CACHE_SECONDS": auth_cache}
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# Limits per container, so that one user cannot starve the others or the host. No process in a server can gain
# privileges (setuid binaries, sudo) or hold capabilities: they run as the notebook user and need none.
# The images' HEALTHCHECK (a Python process every 3 s, as Jupyter Docker Stacks do it) is for `docker run`;
# JupyterHub watches the servers it spawns itself, and a check per server every 3 s is CPU a hub full of users
# pays for nothing (a dashboard server, with no Jupyter server to ask, would also show as unhealthy).
no_healthcheck = docker.types.Healthcheck(test=["NONE"])
if spawner_kind == "docker":
    c.DockerSpawner.remove = True  # containers are disposable (services always are); files live on the volume
    if mem_limit:
        c.DockerSpawner.mem_limit = mem_limit
    if cpu_limit:
        c.DockerSpawner.cpu_limit = float(cpu_limit)
    c.DockerSpawner.extra_create_kwargs = {"healthcheck": no_healthcheck}
    c.DockerSpawner.extra_host_config = {
        "security_opt": ["no-new-privileges:true"],
        "cap_drop": ["ALL"],
        **({"pids_limit": int(pids_limit)} if pids_limit else {}),
    }
else:
    # A service's spec has no no-new-privileges (Docker API 1.41): dropping every capability is what keeps a
    # setuid binary from doing anything as root. The process limit is set on the Resources spec directly
    # (docker-py has no argument for it).
    resources = docker.types.Resources(
        mem_limit=docker.utils.parse_bytes(mem_limit) if mem_limit else None,
        cpu_limit=int(float(cpu_limit) * 1e9) if cpu_limit else None,
    )
    if pids_limit:
        resources.setdefault("Limits", {})["Pids"] = int(pids_limit)
    c.SwarmSpawner.extra_container_spec = {"cap_drop": ["ALL"], "healthcheck": no_healthcheck}
    # A server that stops is not started again by the swarm: JupyterHub decides, as with containers; and a task
    # that cannot start is not retried in a loop, so the spawn fails at once (containds_spawner.py).
    c.SwarmSpawner.extra_task_spec = {
        "resources": resources, "restart_policy": docker.types.RestartPolicy(condition="none"),
    }
    c.SwarmSpawner.extra_placement_spec = {"constraints": constraints or None}
    # The hub reaches each server by its service's name; DNS round robin makes that the task's own address,
    # where a virtual IP needs the kernel's IPVS, which some hosts lack (one task needs no load balancer).
    c.SwarmSpawner.extra_endpoint_spec = {"mode": "dnsrr"}
    # The hub reads a notebook server's start command from its image (DockerSpawner does, when none is set),
    # so the manager needs the image too: pulled once, from the registry every node pulls from. An image the
    # registry does not have fails the start right there, with the registry's answer.
    c.SwarmSpawner.pull_policy = "ifnotpresent"

# --- the hub itself -----------------------------------------------------------------------------------------------

c.JupyterHub.bind_url = f"http://0.0.0.0:{port_text}"
c.JupyterHub.default_url = "/hub/home"  # viewers log in to see dashboards: start no server for them
c.JupyterHub.cleanup_servers = False  # restarting or upgrading the hub leaves users' servers and dashboards up
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = hub_host  # how spawned containers reach the hub on the shared network
c.JupyterHub.db_url = f"sqlite:///{data_dir / 'jupyterhub.sqlite'}"
# A newer JupyterHub line migrates the database itself at start (SQLite: a backup is kept next to it).
c.JupyterHub.upgrade_db = True
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
