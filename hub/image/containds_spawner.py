"""The hub's spawners: cdsdashboards' VariableDockerSpawner and VariableSwarmSpawner, closed to what users must
not choose.

- user_options: only a dashboard's presentation (`user_options.clean`), through JupyterHub's
  `apply_user_options` hook, which runs before cdsdashboards copies options onto the spawner and turns a
  refusal into HTTP 400.
- OAuth client ids that cannot collide. JupyterHub names a server's client `jupyterhub-user-<user>-<server>`,
  so user `bob` + server `dash-dash-z` and user `bob-dash` + server `dash-z` share one client (and its
  redirect URI): logins to one of them fail. Here the parts are joined by `!`, which `quote` always escapes
  inside them. A server started by an older hub keeps the id its container was given (kept in the state).
- On Swarm (`ContainDSSwarmSpawner`): named volumes are mounted as volumes (dockerspawner mounts every volume
  as a bind mount, so a user's home volume name became a host path or was refused: dockerspawner #536), and a
  task the swarm rejects or cannot place fails the start at once with the task's error, instead of after the
  whole start timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import dashboard_access
import docker.errors
import user_options
from cdsdashboards.hubextension.spawners.variabledocker import VariableDockerSpawner, VariableSwarmSpawner
from docker.types import Mount
from tornado import web
from traitlets import HasTraits, default

CLIENT_ID_STATE = "containds_oauth_client_id"


def unique_client_id(user: str, server: str) -> str:
    """An OAuth client id no other (user, server) pair can have: `!` never occurs in a quoted part, so the
    split is unambiguous, and no JupyterHub-made id contains it."""
    return f"jupyterhub-user-{quote(user, safe='')}!{quote(server, safe='')}"


async def check_user_options(spawner: Any, options: dict[str, Any]) -> None:
    """apply_user_options: keep what a dashboard needs, refuse the rest (HTTP 400, one line)."""
    dashboard = dashboard_access.dashboard_of(spawner.db, spawner.user.orm_user, spawner.name)
    try:
        cleaned = user_options.clean(
            options, dashboard, spawner.merged_presentation_launchers, spawner._get_allowed_images(),
        )
    except user_options.UserOptionsError as refusal:
        # Not kept as the server's defaults either: a later start without options must not reuse them.
        spawner.orm_spawner.user_options = {}
        spawner.db.commit()
        spawner.log.warning("%s: %s", spawner._log_name, refusal)
        raise web.HTTPError(400, str(refusal)) from None
    spawner.user_options = cleaned
    spawner.orm_spawner.user_options = cleaned
    spawner.db.commit()


class ContainDSSpawnerMixin(HasTraits):
    """What both spawners add to cdsdashboards' own: checked user options, collision-free OAuth client ids.
    (A HasTraits, so that its trait default is found in the spawners' MRO.)"""

    @default("apply_user_options")
    def _check_user_options_by_default(self) -> Any:
        return check_user_options

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        if state.get(CLIENT_ID_STATE):
            self.oauth_client_id = state[CLIENT_ID_STATE]
        elif self.orm_spawner is None or self.orm_spawner.server is None:
            self._use_unique_client_id()
        # else: running since before this hub; its container knows JupyterHub's id, keep it until it stops

    def get_state(self) -> dict[str, Any]:
        return {**super().get_state(), CLIENT_ID_STATE: self.oauth_client_id}

    def clear_state(self) -> None:
        """Called as a server starts (before its OAuth client is registered) and after it stops."""
        super().clear_state()
        self._use_unique_client_id()

    def _use_unique_client_id(self) -> None:
        self.oauth_client_id = unique_client_id(self.user.name, self.name or "")


class ContainDSDockerSpawner(ContainDSSpawnerMixin, VariableDockerSpawner):
    """Each server a container on one Docker engine (hub/docker-compose.yml)."""


# Task states after which a task never runs (docker's swarm API); `pending` with an error means no node can
# take it (an unsatisfiable constraint, no node with the resources).
ENDED_TASK_STATES = {"rejected", "failed", "shutdown", "complete", "orphaned", "remove"}


class ContainDSSwarmSpawner(ContainDSSpawnerMixin, VariableSwarmSpawner):
    """Each server a Swarm service of one task (hub/docker-stack.yml)."""

    @property
    def mounts(self) -> list[Mount]:
        """A source starting with `/` is a host path (bind mount); anything else names a volume, made on the node
        that runs the task, through `volume_driver` when one is set."""
        mounts = []
        for source, volume in self.volume_binds.items():
            is_path = source.startswith("/")
            mounts.append(Mount(
                target=volume["bind"], source=source, type="bind" if is_path else "volume",
                read_only=volume["mode"] == "ro", driver_config=None if is_path else self.mount_driver_config,
            ))
        return mounts

    async def start(self) -> Any:
        """As the base class; an engine's refusal (e.g. an image the registry does not have, pulled by the
        manager) is told to the user with the engine's reason: an HTTPError's message reaches the API's answer
        and the progress page, any other exception only the hub's log."""
        try:
            return await super().start()
        except docker.errors.APIError as error:
            raise web.HTTPError(500, f"the swarm could not start this server: {error.explanation or error}") from None

    async def get_ip_and_port(self) -> tuple[str, int]:
        """The task's own address on the hub's network, not the service's name: routed by name, a server stopped
        and started again answered 503 through the proxy although it was up (tests/hub/test_swarm.py), and with
        the task's address it does not."""
        task = await self.get_task()
        for attachment in (task or {}).get("NetworksAttachments", []):
            if attachment["Network"]["Spec"]["Name"] == self.network_name and attachment.get("Addresses"):
                return attachment["Addresses"][0].split("/")[0], self.port
        return await super().get_ip_and_port()

    async def start_object(self) -> None:
        """Wait until the service's task runs; stop waiting as soon as the swarm says it never will."""
        delay = 0.5
        while True:
            task = await self.get_task()
            if not task:
                raise RuntimeError(f"service {self.service_name} has no task")
            status = task["Status"]
            state = status["State"].lower()
            if state == "running":
                return
            if state in ENDED_TASK_STATES or (state == "pending" and status.get("Err")):
                reason = status.get("Err") or status.get("Message") or "no reason given"
                raise web.HTTPError(500, f"the swarm could not run this server ({state}): {reason}")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 5.0)
