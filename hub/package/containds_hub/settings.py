"""The hub's settings: every CDS_* environment variable, declared once, typed and checked.

`HubSettings` is the only declaration. `configure(c)` reads it; hub/docker-compose.yml, hub/docker-stack.yml and
the settings table of hub/README.md pass or describe exactly these variables (a unit test compares them). A value
that cannot be used is one line naming the variable, what it was and what is expected; every such line is
reported at once (`SettingsError`), before anything starts.

Only pydantic here (a model, its validators and their messages; reading the environment is a few lines and
needs no pydantic-settings): no JupyterHub, no engine, so that every check is a unit test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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


def _blank_is_default(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


CommaList = Annotated[list[str], BeforeValidator(_words)]


class HubSettings(BaseModel):
    """What a deployment chooses. Field descriptions are the README table's "meaning" column."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    spawner: Literal["docker", "swarm"] = Field(
        "docker", description="`docker`: servers are containers on the hub's engine (compose); "
        "`swarm`: Swarm services (the stack file sets it)")
    singleuser_image: str | None = Field(
        None, description="the image every server and dashboard runs (default: the release's "
        "containds-allr-datascience)")
    allowed_images: CommaList = Field(
        [], description="comma-separated images users may choose from when they start a server; empty: no "
        "choice, always `CDS_SINGLEUSER_IMAGE`")
    authenticator: Literal["native", "dummy"] = Field(
        "native", description="`native` (NativeAuthenticator: sign-up, admin approval, passwords hashed in the "
        "hub database) or `dummy` (every name, one shared password; for tests only)")
    dummy_password: SecretStr | None = Field(
        None, description="the shared password; required with `dummy`, there is no default")
    admin_users: CommaList = Field([], description="comma-separated admin user names")
    docker_network: str = Field(
        "containds", description="the network the hub and the servers it spawns share (compose creates it "
        "under this name)")
    hub_host: str = Field("containds-hub", description="the hub's name on that network: how servers reach the hub")
    hub_port: int = Field(8000, description="the port the hub listens on inside its container")
    data_dir: Path = Field(
        Path("/srv/jupyterhub/data"), description="database, cookie secret, proxy pid: mount a volume here "
        "(compose does)")
    container_prefix: str = Field(
        "jupyter", description="spawned servers are named `<prefix>-<user>--<server>` (user and server escaped)")
    home_volume: str = Field(
        "containds-home-{username}", description="the name of each user's home volume; must hold `{username}` "
        "once")
    mem_limit: str | None = Field(
        "2G", description="memory limit of each spawned server (`512M`, `4G`...; `none`: no limit)")
    cpu_limit: float | None = Field(
        1.0, description="CPUs each spawned server may use (`0.5`, `2`...; `none`: no limit)")
    pids_limit: int | None = Field(1024, description="processes each spawned server may run (`none`: no limit)")
    auth_cache_seconds: int = Field(
        30, description="how long a dashboard trusts the hub's last word on a viewer: the longest a removed "
        "viewer keeps seeing it")
    swarm_constraints: CommaList = Field(
        [], description="Swarm only: comma-separated placement constraints of spawned servers, e.g. "
        "`node.labels.dashboards==yes`")

    # --- checks: each message is what is expected, the variable and its value are added by `load_settings` ---

    @field_validator("singleuser_image", "dummy_password", mode="before")
    @classmethod
    def _optional(cls, value: Any) -> Any:
        return _blank_is_default(value)

    @field_validator("docker_network", "hub_host", "container_prefix", "home_volume", "authenticator", "spawner",
                     mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name].default  # compose passes unset variables as empty
        return value.strip() if isinstance(value, str) else value

    @field_validator("hub_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return 8000
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,5}", text) or not 0 < int(text) < 65536:
            raise ValueError("a port number from 1 to 65535 expected")
        return int(text)

    @field_validator("auth_cache_seconds", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return 30
        if not str(value).strip().isdigit():
            raise ValueError("a whole number of seconds expected")
        return int(str(value).strip())

    @field_validator("mem_limit", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        return _limit(value, "2G", lambda text: bool(MEMORY.fullmatch(text)), "a size such as 512M or 2G expected")

    @field_validator("cpu_limit", mode="before")
    @classmethod
    def _cpus(cls, value: Any) -> Any:
        return _limit(value, 1.0, lambda text: bool(re.fullmatch(r"[0-9]+(\.[0-9]+)?", text)),
                      "a number of CPUs such as 0.5 or 2 expected")

    @field_validator("pids_limit", mode="before")
    @classmethod
    def _pids(cls, value: Any) -> Any:
        return _limit(value, 1024, str.isdigit, "a whole number of processes expected")

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
        if self.swarm_constraints and self.spawner != "swarm":
            raise ValueError("CDS_SWARM_CONSTRAINTS is set but CDS_SPAWNER is not swarm")
        if self.authenticator == "dummy" and self.dummy_password is None:
            raise ValueError("CDS_AUTHENTICATOR=dummy needs CDS_DUMMY_PASSWORD (there is no default password)")
        return self


def _limit(value: Any, default: Any, valid: Any, expected: str) -> Any:
    """A resource limit: its default when unset, None when the operator turned it off with `none`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    text = str(value).strip()
    if text.lower() == "none":
        return None
    if not valid(text) or not re.search(r"[1-9]", text):
        raise ValueError(f"{expected}, or none")
    return value


CHOICES = {  # what a Literal field accepts, said the way an operator reads it
    "spawner": "docker (containers on this engine) or swarm (Swarm services) expected",
    "authenticator": "one of native, dummy expected",
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
    raw = item.get("input")
    if name in environment:
        raw = environment[name]
    message = CHOICES.get(field) if item["type"] == "literal_error" else None
    message = message or str(item["msg"]).removeprefix("Value error, ")
    return f"{name}={raw!r}: {message}"
