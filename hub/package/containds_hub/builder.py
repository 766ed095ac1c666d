"""The hub's dashboard builder: cdsdashboards' DockerBuilder, naming servers validly for JupyterHub 6, and making each
dashboard's snapshot of its source server.

- Every dashboard's server is named by `naming.dashboard_server_name` (the builder's template namespace offers
  it as `{server}`; the configuration sets the server name template to that).
- JupyterHub 6 no longer makes a named server on first lookup (`user.spawners[name]` raises for a server it
  does not know): it is made, with a display name, by `User.get_or_create_spawner`. cdsdashboards 0.6.3 only
  looks it up, so its dashboards were saved but their servers never started. The builder makes it first.
- A dashboard with a source server (the form's choice, checked by containds_hub.handlers) gets a new snapshot of
  that server's container at every save or restart (containds_hub.snapshots), recorded in its row for its
  spawner (containds_hub.spawners.docker); the previous ones are removed as its old server goes. A source server
  that is not running cannot be snapshotted (the hub removes a stopped server's container, and with it what was
  installed there): the build fails with a message saying so, shown on the dashboard's progress page.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

from cdsdashboards.builder.builders import BuildException
from cdsdashboards.builder.dockerbuilder import DockerBuilder
from traitlets import Unicode

from containds_hub import naming, snapshots


class ContainDSDockerBuilder(DockerBuilder):
    snapshot_repository = Unicode(
        "containds-snapshots", config=True, help="the repository snapshots of source servers are tagged in")
    snapshot_hub = Unicode(
        "jupyter", config=True,
        help="this deployment's name on the engine (its container prefix): its snapshots' label")

    def __init__(self, dashboard: Any, cdsconfig: Any, config: Any = None) -> None:
        # cdsdashboards makes builders without the hub's config: take it from its own configurable, which has it.
        super().__init__(dashboard, cdsconfig, config=config if config is not None else cdsconfig.config)

    def template_namespace(self) -> dict[str, Any]:
        namespace: dict[str, Any] = super().template_namespace()
        namespace["server"] = naming.dashboard_server_name(self.dashboard.urlname)
        return namespace

    async def start(self, dashboard: Any, dashboard_user: Any, form_options: Any = None,
                    spawn_default_options: bool = True) -> Any:
        self.event_queue: list[dict[str, Any]] = []  # this build's events only (its own start empties it too)
        if hasattr(dashboard_user, "get_or_create_spawner"):  # JupyterHub >= 6
            dashboard_user.get_or_create_spawner(naming.dashboard_server_name(dashboard.urlname),
                                                 naming.display_name(dashboard.name))
        await self._record_snapshot(dashboard, dashboard_user)
        events = list(self.event_queue)
        started = await super().start(dashboard, dashboard_user, form_options, spawn_default_options)
        self.event_queue[:0] = events  # the snapshot's events before the server's
        return started

    async def _record_snapshot(self, dashboard: Any, dashboard_user: Any) -> None:
        options = dict(dashboard.options or {})
        source = options.get("source_server")
        options.pop("snapshot", None)
        if isinstance(source, dict):
            self.add_progress_event({"progress": 20, "message": f"Taking a snapshot of {_label(source['server'])}"})
            snapshot = await self._snapshot(dashboard, dashboard_user, source["server"])
            options["snapshot"] = {"reference": snapshot.reference, "image_id": snapshot.image_id,
                                   "created": snapshot.created}
            self.add_progress_event({"progress": 50, "message": f"Snapshot {snapshot.reference} made"})
        dashboard.options = options  # a new dict: the JSON column notices the change
        dashboard_user.db.commit()

    async def _snapshot(self, dashboard: Any, dashboard_user: Any, server: str) -> snapshots.Snapshot:
        orm_spawner = dashboard_user.orm_user.orm_spawners.get(server)
        if orm_spawner is None:
            raise BuildException(f"the source server {_label(server)} no longer exists: edit the dashboard and "
                                 "choose another, or none")
        container_id = (orm_spawner.state or {}).get("object_id") or (orm_spawner.state or {}).get("container_id")
        if orm_spawner.server is None or not container_id:
            raise BuildException(f"the source server {_label(server)} is not running, so there is nothing to take a "
                                 "snapshot of (what was installed in it went with it when it stopped): start it, "
                                 "install again, and save the dashboard")
        created, started = datetime.now(timezone.utc), time.monotonic()
        try:
            engine = snapshots.engine()
            snapshot = await asyncio.to_thread(
                snapshots.make_snapshot, engine, container_id, self.snapshot_repository, dashboard_user.name,
                dashboard.id, dashboard.urlname, server, self.snapshot_hub, created)
        except snapshots.SnapshotError as error:
            raise BuildException(f"the snapshot of {_label(server)} failed: {error}") from None
        self.log.info("containds-hub: snapshot %s of %s/%s made in %.1f s (%.0f MB of changes)", snapshot.reference,
                      dashboard_user.name, server, time.monotonic() - started, snapshot.bytes / 1e6)
        return snapshot


def _label(server: str) -> str:
    return f"server {server!r}" if server else "your default server"
