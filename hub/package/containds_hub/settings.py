"""The hub's settings: every CDS_* environment variable, declared once, typed and checked.

`HubSettings` is the only declaration. `configure(c)` reads it; hub/docker-compose.yml and hub/docker-stack.yml pass
exactly the variables each field says (`files`), and hub/README.md's settings table is `settings_table()` (a unit
test compares all three). A value that cannot be used is one line naming the variable, what it was and what is
expected; every such line is reported at once (`SettingsError`), before anything starts.

Only pydantic here (a model, its validators and their messages; reading the environment takes a few lines and no
pydantic-settings): no JupyterHub, no engine, so that every check is a unit test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_PREFIX = "CDS_"
DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")  # what the engine accepts for names
MEMORY = re.compile(r"[0-9]+[KMGT]?")
REPOSITORY = re.compile(r"([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")
# Which deployment files pass a setting on to the hub: both, unless a field says otherwise.
COMPOSE, SWARM = "compose", "swarm"
BOTH = (COMPOSE, SWARM)


class SettingsError(ValueError):
    """Settings the hub cannot start with: one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _words(value: Any) -> Any:
    """A comma-separated variable as a list of its non-empty items (a list given in Python is kept)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], BeforeValidator(_words)]


def _volume_options(value: Any) -> Any:
    """`key=value key=value`: the options of a `local` volume (mount's type, its -o options, the device)."""
    if not isinstance(value, str):
        return value
    options = {}
    for item in value.split():
        key, equals, option = item.partition("=")
        if not equals or not key or not option:
            raise ValueError(f"{item!r}: key=value items separated by spaces expected (type=nfs o=... device=...)")
        options[key] = option
    return options


VolumeOptions = Annotated[dict[str, str], BeforeValidator(_volume_options)]


def setting(default: Any, meaning: str, shown: str | None = None, files: tuple[str, ...] = BOTH,
            fixed: Mapping[str, str] | None = None) -> Any:
    """A field: its default, what it means (the README's words), the default as the README shows it when that
    is not the value itself, the deployment files that pass it, and those that set it to a fixed value."""
    return Field(default, description=meaning,
                 json_schema_extra={"shown": shown, "files": list(files), "fixed": dict(fixed or {})})


class HubSettings(BaseModel):
    """What a deployment chooses."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    singleuser_image: str | None = setting(
        None, "the image every server and dashboard runs", shown="the release's containds-allr-datascience")
    allowed_images: CommaList = setting(
        [], "comma-separated images users may choose from when they start a server (DockerSpawner's "
        "`allowed_images`); empty: no choice, always `CDS_SINGLEUSER_IMAGE`")
    authenticator: Literal["native", "dummy"] = setting(
        "native", "`native` (NativeAuthenticator: sign-up, admin approval, passwords hashed in the hub database) "
        "or `dummy` (JupyterHub's DummyAuthenticator: every name, one shared password; for tests only)")
    dummy_password: SecretStr | None = setting(None, "the shared password; required with `dummy`, there is no default")
    admin_users: CommaList = setting([], "comma-separated admin user names")
    docker_network: str = setting(
        "containds", "the network the hub and the servers it spawns share (compose creates it under this name)")
    hub_host: str = setting("containds-hub", "the hub's name on that network: how spawned servers reach the hub")
    container_prefix: str = setting(
        "jupyter", "spawned servers are named `<prefix>-<user>--<server>` (user and server escaped)")
    home_volume: str = setting(
        "containds-home-{username}", "the name of each user's home volume; must hold `{username}` once")
    mem_limit: str | None = setting("2G", "memory limit of each spawned server (`512M`, `4G`...; `none`: no limit)")
    cpu_limit: float | None = setting(1.0, "CPUs each spawned server may use (`0.5`, `2`...; `none`: no limit)")
    pids_limit: int | None = setting(1024, "processes each spawned server may run (`none`: no limit)")
    auth_cache_seconds: int = setting(
        30, "how long a dashboard trusts the hub's last word on a viewer: the longest a removed viewer keeps "
        "seeing it")
    source_servers: Literal["off", "optional", "required"] = setting(
        "optional", "whether a dashboard may be built from a snapshot of one of its owner's servers, with what was "
        "installed there (`optional`: the owner chooses, none by default; `required`: always; `off`: never; "
        "compose only, see \"Source servers\")")
    snapshot_repository: str = setting(
        "containds-snapshots", "the repository source servers' snapshots are tagged in, on the hub's engine")
    confirm_dashboard_access: bool = setting(
        False, "viewers confirm, once per dashboard, that it may know who they are (JupyterHub's \"Authorize "
        "access\" page); `false`: a dashboard's link leads straight to it (see \"Who can open a dashboard\")")
    cull_idle: bool = setting(
        True, "stop idle servers (jupyterhub-idle-culler as a hub service); they stay defined and start again "
        "when opened (`false`: never)")
    cull_timeout: int = setting(3600, "seconds a notebook server may be idle before it is stopped")
    cull_dashboard_timeout: int = setting(
        1800, "seconds a dashboard's server may go unviewed (no request, no open page) before it is stopped")
    cull_every: int = setting(300, "seconds between two checks for idle servers")
    cull_max_age: int = setting(0, "seconds after which a server is stopped however busy (`0`: never)")
    egress: bool = setting(
        True, "the servers' egress policy: they reach the hub, DNS and public addresses, never the cloud's metadata "
        "address, private or link-local ranges, the Docker host or one another (`false`: anything; see "
        "\"Security model\")")
    egress_allow: CommaList = setting(
        [], "comma-separated extra destinations the policy lets servers reach: `address[/bits][:port]`, e.g. "
        "`10.1.2.3:5432`")
    spawner: Literal["docker", "swarm"] = setting(
        "docker", "`docker`: servers are containers on the hub's engine (compose); `swarm`: Swarm services (the "
        "stack file sets it)", files=(), fixed={SWARM: "swarm"})
    swarm_constraints: CommaList = setting(
        [], "Swarm only: comma-separated placement constraints of spawned servers, e.g. "
        "`node.labels.dashboards==yes`", files=(SWARM,))
    swarm_dashboard_constraints: CommaList = setting(
        [], "Swarm only: placement constraints of dashboards' servers instead, e.g. `node.labels.dashboards==yes` "
        "(empty: `CDS_SWARM_CONSTRAINTS`)", files=(SWARM,))
    swarm_dashboard_placement: Literal["preferred", "required"] = setting(
        "preferred", "Swarm only: when no node meeting `CDS_SWARM_DASHBOARD_CONSTRAINTS` can take a dashboard (down, "
        "drained or full), `preferred` starts it where notebook servers run (`CDS_SWARM_CONSTRAINTS`), `required` "
        "fails its start with the swarm's reason", files=(SWARM,))
    home_volume_options: VolumeOptions = setting(
        {}, "Swarm only: how every node mounts a user's home from shared storage: options of Docker's `local` "
        "volume driver, space-separated, `{username}` replaced, e.g. `type=nfs o=addr=10.0.0.5,rw "
        "device=:/homes/{username}` (empty: a volume of its own on each node; see \"Docker Swarm\")",
        files=(SWARM,))
    # Inside the hub's container: the deployment files publish its port and mount its volume at these defaults.
    hub_port: int = setting(8000, "the port the hub listens on inside its container", files=())
    data_dir: Path = setting(
        Path("/srv/jupyterhub/data"), "database, cookie secret, proxy pid: mount a volume here (compose does)",
        files=())

    @field_validator("hub_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,5}", text) or not 0 < int(text) < 65536:
            raise ValueError("a port number from 1 to 65535 expected")
        return int(text)

    @field_validator("auth_cache_seconds", "cull_max_age", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if not str(value).strip().isdigit():
            raise ValueError("a whole number of seconds expected")
        return int(str(value).strip())

    @field_validator("cull_timeout", "cull_dashboard_timeout", "cull_every", mode="before")
    @classmethod
    def _some_seconds(cls, value: Any) -> Any:
        if not str(value).strip().isdigit() or int(str(value).strip()) < 1:
            raise ValueError("a whole number of seconds, at least 1, expected")
        return int(str(value).strip())

    @field_validator("egress_allow")
    @classmethod
    def _destinations(cls, value: list[str]) -> list[str]:
        from containds_hub.egress import Allowed

        for item in value:
            Allowed.parse(item)  # its ValueError names the item and what is expected
        return value

    @field_validator("cull_idle", "confirm_dashboard_access", "egress", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> Any:
        text = str(value).strip().lower()
        if text not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
            raise ValueError("true or false expected")
        return text in ("true", "yes", "1", "on")

    @field_validator("mem_limit", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        return _limit(value, lambda text: bool(MEMORY.fullmatch(text)), "a size such as 512M or 2G expected")

    @field_validator("cpu_limit", mode="before")
    @classmethod
    def _cpus(cls, value: Any) -> Any:
        return _limit(value, lambda text: bool(re.fullmatch(r"[0-9]+(\.[0-9]+)?", text)),
                      "a number of CPUs such as 0.5 or 2 expected")

    @field_validator("pids_limit", mode="before")
    @classmethod
    def _pids(cls, value: Any) -> Any:
        return _limit(value, str.isdigit, "a whole number of processes expected")

    @field_validator("snapshot_repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not REPOSITORY.fullmatch(value):
            raise ValueError("a repository name expected ([registry[:port]/]name, lower case)")
        return value

    @field_validator("container_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not DOCKER_NAME.fullmatch(value):
            raise ValueError("letters, digits and . _ - expected, not starting with . _ -")
        return value

    @field_validator("home_volume")
    @classmethod
    def _home(cls, value: str) -> str:
        if value.count("{username}") != 1 or not DOCKER_NAME.fullmatch(value.replace("{username}", "u")):
            raise ValueError("a volume name with {username} once expected (one volume per user)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> HubSettings:
        for name in ("swarm_constraints", "swarm_dashboard_constraints", "home_volume_options"):
            if getattr(self, name) and self.spawner != "swarm":
                raise ValueError(f"{env_name(name)} is set but CDS_SPAWNER is not swarm")
        if self.authenticator == "dummy" and self.dummy_password is None:
            raise ValueError("CDS_AUTHENTICATOR=dummy needs CDS_DUMMY_PASSWORD (there is no default password)")
        return self


def _limit(value: Any, valid: Callable[[str], bool], expected: str) -> Any:
    """A resource limit: None when the operator turned it off with `none`."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() == "none":
        return None
    if not valid(text) or not re.search(r"[1-9]", text):
        raise ValueError(f"{expected}, or none")
    return value


CHOICES = {  # what a Literal field accepts, said the way an operator reads it
    "spawner": "docker (containers on this engine) or swarm (Swarm services) expected",
    "authenticator": "one of native, dummy expected",
    "source_servers": "one of off, optional, required expected",
}


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(environment: Mapping[str, str] | None = None, **given: Any) -> HubSettings:
    """The settings from the CDS_* variables of `environment` (the process's own when None) and from `given`
    values (a jupyterhub_config.py's own choices, which win); SettingsError lists every problem, one line each."""
    source = os.environ if environment is None else environment
    # An empty variable is an unset one: compose passes every variable it lists, empty when the operator set none.
    values = {field: source[env_name(field)] for field in HubSettings.model_fields
              if source.get(env_name(field), "").strip()}
    try:
        return HubSettings.model_validate({**values, **given})
    except ValidationError as error:
        raise SettingsError([_problem(item, source) for item in error.errors()]) from None


def _problem(item: Any, environment: Mapping[str, str]) -> str:
    if not item["loc"]:  # a check across settings: its message names them
        return str(item["msg"]).removeprefix("Value error, ")
    field = str(item["loc"][0])
    name = env_name(field)
    raw = environment.get(name, item.get("input"))
    message = CHOICES.get(field) if item["type"] == "literal_error" else None
    message = message or str(item["msg"]).removeprefix("Value error, ")
    return f"{name}={raw!r}: {message}"


def extra(field: str) -> dict[str, Any]:
    """A field's declaration beyond its type and default: `shown`, `files`, `fixed` (see `setting`)."""
    declared = HubSettings.model_fields[field].json_schema_extra
    return dict(declared) if isinstance(declared, dict) else {}


def shown_default(field: str) -> str:
    """A field's default as the README's table shows it."""
    info = HubSettings.model_fields[field]
    if extra(field).get("shown"):
        return str(extra(field)["shown"])
    value = info.default
    if value in (None, [], {}):
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def settings_table() -> list[str]:
    """The rows of hub/README.md's settings table, one per setting, in declaration order."""
    return [f"| `{env_name(field)}` | {shown_default(field)} | {info.description} |"
            for field, info in HubSettings.model_fields.items()]
