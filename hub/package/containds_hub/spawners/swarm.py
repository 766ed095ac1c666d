"""Each server a Swarm service of one task (hub/docker-stack.yml).

On top of what every backend's spawner does: named volumes are mounted as volumes (dockerspawner mounts every
volume as a bind mount, so a user's home volume name became a host path or was refused: dockerspawner #536),
and a task the swarm rejects or cannot place fails the start at once with the task's error, instead of after the
whole start timeout. Dashboards' servers may be placed apart from notebook servers (`dashboard_constraints`): when
no live node meets those, a `preferred` placement starts the dashboard where notebook servers run instead. A server
whose node is down is reported stopped at the hub's next poll (the swarm itself keeps such a task "running" until the
node comes back: with no restart policy it never moves it). A home volume made through a driver gets the user's
name in its options (`{username}`): each node mounts the same directory of shared storage.
"""

from __future__ import annotations

import asyncio
from typing import Any

import docker.errors
from cdsdashboards.hubextension.spawners.variabledocker import VariableSwarmSpawner
from docker.types import DriverConfig, Mount
from tornado import web
from traitlets import Enum, List, Unicode

from containds_hub import access
from containds_hub.spawners import ContainDSSpawnerMixin

# Task states after which a task never runs (docker's swarm API); `pending` with an error means no node can
# take it (an unsatisfiable constraint, no node with the resources).
ENDED_TASK_STATES = {"rejected", "failed", "shutdown", "complete", "orphaned", "remove"}
# States of a task that is, or will be, running (dockerspawner's own poll counts these as running).
LIVE_TASK_STATES = {"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting",
                    "running"}
# The node state in which its tasks are gone for the hub: the manager lost the node's heartbeats. Not `unknown` (what
# a new leader says of every node until it reports) nor `disconnected` (a node looking for a new manager, as when
# one restarts): both pass, and stopping live servers for them would be wrong.
DEAD_NODE_STATES = {"down"}


class Unplaceable(web.HTTPError):
    """The swarm has no live node that meets the server's placement constraints."""


class ContainDSSwarmSpawner(ContainDSSpawnerMixin, VariableSwarmSpawner):
    """Each server a Swarm service of one task (hub/docker-stack.yml)."""

    dashboard_constraints = List(Unicode(), allow_none=True, default_value=None, config=True,
                                 help="Placement constraints of dashboards' servers (None: extra_placement_spec's)")
    dashboard_placement = Enum(["preferred", "required"], default_value="preferred", config=True,
                               help="When no live node meets dashboard_constraints: `preferred` places the dashboard "
                                    "as other servers are placed, `required` fails its start")

    @property
    def mount_driver_config(self) -> DriverConfig | None:
        """The volume driver's options with `{username}` (and the other template fields) filled in."""
        if not self.volume_driver:
            return None
        fields = self.template_namespace()
        options = {key: value.format(**fields) for key, value in (self.volume_driver_options or {}).items()}
        return DriverConfig(name=self.volume_driver, options=options or None)

    @property
    def mounts(self) -> list[Mount]:
        """A source starting with `/` is a host path (bind mount); anything else names a volume, made on the node
        that runs the task. The home volume goes through `volume_driver` when one is set (its options name the
        user's directory: an operator's other volumes must not get them)."""
        mounts = []
        for source, volume in self.volume_binds.items():
            is_path = source.startswith("/")
            is_home = not is_path and volume["bind"] == self.notebook_dir
            mounts.append(Mount(
                target=volume["bind"], source=source, type="bind" if is_path else "volume",
                read_only=volume["mode"] == "ro", driver_config=self.mount_driver_config if is_home else None,
            ))
        return mounts

    async def start(self) -> Any:
        """As the base class; an engine's refusal (e.g. an image the registry does not have, pulled by the
        manager) is told to the user with the engine's reason: an HTTPError's message reaches the API's answer
        and the progress page, any other exception only the hub's log."""
        if not hasattr(self, "_servers_placement"):  # the operator's, before a dashboard's constraints replace it
            self._servers_placement: dict[str, Any] = dict(self.extra_placement_spec)
        apart = self.dashboard_constraints is not None and access.dashboard_of(
            self.db, self.user.orm_user, self.name) is not None
        try:
            return await self._start_placed(apart)
        except docker.errors.APIError as error:
            raise web.HTTPError(500, f"the swarm could not start this server: {error.explanation or error}") from None

    async def _start_placed(self, apart: bool) -> Any:
        """Start with the dashboards' constraints when `apart`; when no node meeting them can take the server and
        the placement is only preferred, where notebook servers run instead, rather than not at all."""
        placement = self._servers_placement
        self.extra_placement_spec = {**placement, "constraints": self.dashboard_constraints} if apart else placement
        try:
            return await super().start()
        except Unplaceable as refusal:
            if not apart or self.dashboard_placement == "required":
                raise
            self.log.warning("%s: %s; starting it where notebook servers run (%s)", self._log_name,
                             refusal.log_message, placement.get("constraints") or "any node")
            await self.remove_object()  # the service waiting for a node: the next start would find it
            self.extra_placement_spec = placement
            return await super().start()

    async def poll(self) -> int | str | None:
        """None while the server's task is (about to be) running on a live node; otherwise why it is not. The
        swarm keeps a task whose node died "running" until the node is back, so the node is asked too."""
        task = await self.get_task()
        if not task:
            self.log.warning("%s: service %s not found", self._log_name, self.service_name)
            return 0
        state = task["Status"]["State"]
        if state not in LIVE_TASK_STATES:
            return f"task {state}: {task['Status'].get('Err') or task['Status'].get('Message', '')}"
        if state == "running" and task.get("NodeID"):
            try:
                node = await self.docker("inspect_node", task["NodeID"])
            except docker.errors.NotFound:  # removed from the swarm (`docker node rm`), and its tasks with it
                self.log.warning("%s: its node %s is gone from the swarm", self._log_name, task["NodeID"][:12])
                return "node gone"
            node_state = node["Status"]["State"]
            if node_state in DEAD_NODE_STATES:
                hostname = node.get("Description", {}).get("Hostname", task["NodeID"][:12])
                self.log.warning("%s: its node %s is %s", self._log_name, hostname, node_state)
                return f"node {hostname} {node_state}"
        return None

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
            if state == "pending" and status.get("Err"):
                raise Unplaceable(500, f"the swarm could not run this server ({state}): {status['Err']}")
            if state in ENDED_TASK_STATES:
                reason = status.get("Err") or status.get("Message") or "no reason given"
                raise web.HTTPError(500, f"the swarm could not run this server ({state}): {reason}")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 5.0)
