"""The dashboards wiring every backend shares: cdsdashboards as its documentation wires it, through the hub's own
spawner and builder, with viewers' grants, the release's launchers, one home volume per user and hardened servers.

Settings the operator gave (a CDS_* variable, or a value passed to `configure`) win; otherwise a value the
operator's own jupyterhub_config.py already set is kept; otherwise the hub's default applies (`choose`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from containds_hub import access
from containds_hub.culling import configure_culler
from containds_hub.log import LOG
from containds_hub.oauth import skip_dashboard_confirmation
from containds_hub.release import Release
from containds_hub.settings import HubSettings

BUILDER = "containds_hub.builder.ContainDSDockerBuilder"
DEFAULT_DB_URL = "sqlite:///jupyterhub.sqlite"  # JupyterHub's own default
TEMPLATES_DIR = str(Path(__file__).with_name("templates"))  # the hub's own pages, ahead of cdsdashboards'
STATIC_DIR = str(Path(__file__).with_name("static"))  # their scripts and stylesheet, at /hub/containds-static/


def choose(section: Any, trait: str, settings: HubSettings, field: str, value: Any) -> None:
    """Set `section.trait` to `value` (the setting `field`, converted) unless the setting was not given and the
    operator's config already set the trait."""
    if field in settings.model_fields_set or trait not in section:
        section[trait] = value


def default(section: Any, trait: str, value: Any) -> None:
    """Set `section.trait` unless the operator's config already did."""
    if trait not in section:
        section[trait] = value


def configure_dashboards(c: Any, settings: HubSettings, release: Release, spawner_class: str) -> None:
    from cdsdashboards.app import CDS_TEMPLATE_PATHS
    from cdsdashboards.hubextension import cds_extra_handlers
    from jupyterhub.handlers.static import CacheControlStaticFilesHandler

    hub = c.JupyterHub
    _replace(hub, "spawner_class", spawner_class)
    hub.allow_named_servers = True  # dashboards are named servers of their owner
    # The hub's Bootstrap 5 pages come first, then cdsdashboards' own, then whatever the operator added.
    own = [path for path in hub.get("template_paths", []) if path not in CDS_TEMPLATE_PATHS and path != TEMPLATES_DIR]
    hub.template_paths = [TEMPLATES_DIR, *CDS_TEMPLATE_PATHS, *own]
    static = (r"containds-static/(.*)", CacheControlStaticFilesHandler, {"path": STATIC_DIR})
    theirs = [h for h in hub.get("extra_handlers", []) if h not in cds_extra_handlers and h[0] != static[0]]
    hub.extra_handlers = [*theirs, *(_ours(handler) for handler in cds_extra_handlers), static]
    # DockerBuilder, naming each dashboard's server validly for JupyterHub 6 and creating it there (builder.py).
    _replace(c.CDSDashboardsConfig, "builder_class", BUILDER)
    c.CDSDashboardsConfig.server_name_template = "{server}"

    # Dashboards start through the image's start.sh (its hooks run) and its dashboard proxy, with the launchers
    # of the release (frameworks on 127.0.0.1 only) merged over cdsdashboards' own.
    c.VariableMixin.default_presentation_cmd = list(release.presentation_cmd)
    c.VariableMixin.extra_presentation_launchers = release.presentation_launchers

    spawner = c.Spawner
    # How long a dashboard's proxy trusts the hub's last answer about a viewer (containds-dashboard-proxy): the
    # longest a viewer removed from a dashboard's group keeps seeing it.
    environment = dict(spawner.get("environment", {}))
    environment["CDS_AUTH_CACHE_SECONDS"] = str(settings.auth_cache_seconds)
    spawner.environment = environment
    default(spawner, "start_timeout", 180)  # a cold image on a busy node; Swarm fails impossible starts sooner
    default(spawner, "http_timeout", 120)
    spawner.pre_spawn_hook = _after(spawner.get("pre_spawn_hook"), access.grant_on_spawn)
    configure_culler(c, settings)
    if not settings.confirm_dashboard_access:
        skip_dashboard_confirmation(c)
    # JupyterHub deletes roles its configuration does not declare: declare every dashboard's grants.
    hub.load_roles = access.merge_roles(list(hub.get("load_roles", [])),
                                        access.roles_from_database(hub.get("db_url", DEFAULT_DB_URL)))


def _ours(handler: tuple[Any, ...]) -> tuple[Any, ...]:
    """cdsdashboards' route, served by the hub's handler where it has one (the New and Edit Dashboard pages)."""
    from cdsdashboards.hubextension.main import DashboardEditHandler as CDSDashboardEditHandler

    from containds_hub.handlers import DashboardEditHandler

    return (handler[0], DashboardEditHandler, *handler[2:]) if handler[1] is CDSDashboardEditHandler else handler


def configure_source_servers(c: Any, settings: HubSettings, unavailable: str = "") -> None:
    """The form's source servers (`unavailable`: why a backend cannot offer them) and where snapshots go."""
    from containds_hub.sources import SETTING, SourceServers

    c.JupyterHub.tornado_settings = {**c.JupyterHub.get("tornado_settings", {}),
                                     SETTING: SourceServers(settings.source_servers, unavailable)}
    c.ContainDSDockerBuilder.snapshot_repository = settings.snapshot_repository
    c.ContainDSDockerBuilder.snapshot_hub = settings.container_prefix


def _replace(section: Any, trait: str, value: str) -> None:
    """Set a class the hub must use (its checks live there); say so when it replaces the operator's choice."""
    previous = section.get(trait)
    if previous not in (None, value):
        LOG.info("containds-hub: %s %r replaced by %r (the same, with the hub's checks)", trait, previous, value)
    section[trait] = value


def _after(first: Callable[..., Any] | None, then: Callable[..., Any]) -> Callable[..., Any]:
    """A pre_spawn_hook running the operator's own hook, if any, before the hub's."""
    if first is None or first is then:
        return then

    async def both(spawner: Any) -> None:
        result = first(spawner)
        if hasattr(result, "__await__"):
            await result
        await then(spawner)

    return both
