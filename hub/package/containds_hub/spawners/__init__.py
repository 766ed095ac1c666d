"""The hub's spawners: cdsdashboards' variable spawners, closed to what users must not choose.

What every backend's spawner adds (`ContainDSSpawnerMixin`):

- user_options: only a dashboard's presentation (`user_options.clean`), through JupyterHub's
  `apply_user_options` hook, which runs before cdsdashboards copies options onto the spawner and turns a
  refusal into HTTP 400.
- OAuth client ids that cannot collide. JupyterHub names a server's client `jupyterhub-user-<user>-<server>`,
  so user `bob` + server `dash-dash-z` and user `bob-dash` + server `dash-z` share one client (and its
  redirect URI): logins to one of them fail. Here the parts are joined by `!`, which `quote` always escapes
  inside them. A server started by an older hub keeps the id its container was given (kept in the state).
- A start that returns once the server accepts connections (`readiness`): JupyterHub's own wait after it backs
  off up to 5 s between looks, which in a burst reported servers ready seconds late.

The backends' own: `spawners.docker` (containers on one engine), `spawners.swarm` (Swarm services).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tornado import web
from traitlets import HasTraits, default

from containds_hub import access, images, user_options
from containds_hub.naming import unique_client_id
from containds_hub.readiness import wait_until_listening

CLIENT_ID_STATE = "containds_oauth_client_id"


async def check_user_options(spawner: Any, options: dict[str, Any]) -> None:
    """apply_user_options: keep what a dashboard needs, refuse the rest (HTTP 400, one line)."""
    dashboard = access.dashboard_of(spawner.db, spawner.user.orm_user, spawner.name)
    try:
        cleaned = user_options.clean(
            options, dashboard, spawner.merged_presentation_launchers, images.allowed_images(spawner),
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


# To type checkers the mixin is the Spawner it mixes into (its state, user and name), whose package need not be
# installed where the checks run.
_Traits: Any = HasTraits


class ContainDSSpawnerMixin(_Traits):
    """What both spawners add to cdsdashboards' own: checked user options, collision-free OAuth client ids.
    (A HasTraits, so that its trait default is found in the spawners' MRO.)"""

    @default("apply_user_options")
    def _check_user_options_by_default(self) -> Any:
        return check_user_options

    async def start(self) -> Any:
        started = await super().start()
        host, port = started if isinstance(started, tuple) else _host_and_port(str(started))
        async def still_running() -> bool:
            return await self.poll() is None

        await wait_until_listening(host, port, self.http_timeout, still_running)
        return started

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


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
