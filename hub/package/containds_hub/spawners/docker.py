"""Each server a container on one Docker engine (hub/docker-compose.yml, or your own hub's engine).

On top of what every backend's spawner does, a dashboard with a source server runs its snapshot
(containds_hub.snapshots): the image its builder recorded in the dashboard's row, which only the builder writes.
No other server may run a snapshot (an operator's `allowed_images = "*"` included): a server about to run an
image labelled as another dashboard's snapshot is refused. Once a dashboard's server runs its newest snapshot, its
older ones are removed (a restart takes a new snapshot without removing the server first); removing a dashboard's
server removes them all.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from cdsdashboards.hubextension.spawners.variabledocker import VariableDockerSpawner
from tornado import web

from containds_hub import access, snapshots
from containds_hub.spawners import ContainDSSpawnerMixin
from containds_hub.user_options import Dashboard


class ContainDSDockerSpawner(ContainDSSpawnerMixin, VariableDockerSpawner):
    """cdsdashboards' VariableDockerSpawner with the checks every backend has, and dashboards' snapshots."""

    image: Any  # DockerSpawner's trait (an annotation only: no class attribute hides the trait)
    _configured_image: str | None = None
    _dashboard: Dashboard | None = None  # the dashboard this start presents, read once from the database

    async def start(self) -> Any:
        if self._configured_image is None:  # before any start changed it
            self._configured_image = str(self.image)
        self._dashboard = dashboard = access.dashboard_of(self.db, self.user.orm_user, self.name)
        self.image = (dashboard.snapshot if dashboard is not None else None) or self._configured_image
        started = await super().start()
        if dashboard is not None and dashboard.snapshot:
            await self._remove_snapshots(dashboard.dashboard_id, keep=dashboard.snapshot_id)
        return started

    async def create_object(self) -> Any:
        """The image is final here (DockerSpawner has applied any allowed user choice): never another's snapshot."""
        labels = await asyncio.to_thread(_image_labels, self.client, self.image)  # DockerSpawner's API client
        owner_id = labels.get(snapshots.LABEL_PREFIX + "dashboard-id")
        if owner_id is not None:
            dashboard = self._dashboard
            if dashboard is None or str(dashboard.dashboard_id) != owner_id or self.user.name != labels.get(
                    snapshots.LABEL_PREFIX + "owner"):
                raise web.HTTPError(400, f"refused image {self.image}: it is another dashboard's snapshot")
        return await super().create_object()

    async def delete_forever(self) -> None:
        """Called when the server is removed (cdsdashboards, patch 08): a dashboard's server takes its snapshots."""
        dashboard = access.dashboard_of(self.db, self.user.orm_user, self.name)
        if dashboard is not None and dashboard.dashboard_id:
            await self._remove_snapshots(dashboard.dashboard_id)
        result = super().delete_forever()  # JupyterHub's own is not a coroutine
        if inspect.isawaitable(result):
            await result

    async def _remove_snapshots(self, dashboard_id: int, keep: str | None = None) -> None:
        """Remove the dashboard's snapshots but `keep` (an image id); one still in use stays, for next time."""
        def remove() -> list[str]:
            engine = snapshots.engine()
            return snapshots.remove_snapshots(engine, snapshots.snapshots_of(engine, self.prefix, dashboard_id),
                                              keep=keep)

        try:
            removed = await asyncio.to_thread(remove)
        except Exception as error:  # the server runs: a snapshot left over is disk, not a failure
            self.log.warning("%s: old snapshots not removed: %s", self._log_name, error)
            return
        for reference in removed:
            self.log.info("%s: removed snapshot %s", self._log_name, reference)


def _image_labels(client: Any, image: str) -> dict[str, str]:
    import docker.errors

    try:
        return dict(client.inspect_image(image).get("Config", {}).get("Labels") or {})
    except docker.errors.ImageNotFound:
        return {}
