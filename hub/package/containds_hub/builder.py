"""The hub's dashboard builder: cdsdashboards' DockerBuilder, naming servers validly for JupyterHub 6.

- Every dashboard's server is named by `naming.dashboard_server_name` (the builder's template namespace offers
  it as `{server}`; jupyterhub_config.py sets the server name template to that).
- JupyterHub 6 no longer makes a named server on first lookup (`user.spawners[name]` raises for a server it
  does not know): it is made, with a display name, by `User.get_or_create_spawner`. cdsdashboards 0.6.3 only
  looks it up, so its dashboards were saved but their servers never started. The builder makes it first.
"""

from __future__ import annotations

from typing import Any

from cdsdashboards.builder.dockerbuilder import DockerBuilder

from containds_hub import naming


class ContainDSDockerBuilder(DockerBuilder):
    def template_namespace(self) -> dict[str, Any]:
        namespace: dict[str, Any] = super().template_namespace()
        namespace["server"] = naming.dashboard_server_name(self.dashboard.urlname)
        return namespace

    async def start(self, dashboard: Any, dashboard_user: Any, form_options: Any = None,
                    spawn_default_options: bool = True) -> Any:
        if hasattr(dashboard_user, "get_or_create_spawner"):  # JupyterHub >= 6
            dashboard_user.get_or_create_spawner(naming.dashboard_server_name(dashboard.urlname),
                                                 naming.display_name(dashboard.name))
        return await super().start(dashboard, dashboard_user, form_options, spawn_default_options)
