"""ContainDS Dashboards on JupyterHub 5.5 and 6.1: cdsdashboards, made safe and working, for any hub.

In a jupyterhub_config.py, after cdsdashboards' documented lines:

    import containds_hub
    containds_hub.configure(c)

`configure` reads the CDS_* settings (`settings.HubSettings`; values passed to it win), wires cdsdashboards
through the hub's spawner and builder for the backend CDS_SPAWNER names (`backends`), and stops the hub with one
line per problem when something cannot work.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

__version__ = "1.0.0"

MESSAGE_PREFIX = "containds-hub: configuration error: "


def configure(c: Any, **given: Any) -> None:
    """Configure dashboards on this hub; `given` settings (HubSettings' fields) win over CDS_* variables."""
    from containds_hub.settings import SettingsError, load_settings

    try:
        settings = load_settings(**given)
    except SettingsError as error:
        fail(error.problems)
    _configure(c, settings, image=False)


def configure_image(c: Any) -> None:
    """The containds-hub image's whole configuration: the hub itself, then the dashboards."""
    from containds_hub.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        fail(error.problems)
    _configure(c, settings, image=True)


def _configure(c: Any, settings: Any, image: bool) -> None:
    from containds_hub.backends import configure_backend
    from containds_hub.image import DataDirError, configure_hub
    from containds_hub.preflight import PreflightError
    from containds_hub.release import load_release

    try:
        if image:
            configure_hub(c, settings)
        configure_backend(c, settings, load_release())
    except (PreflightError, DataDirError, FileNotFoundError) as error:
        fail([str(error)])


def fail(problems: list[str]) -> NoReturn:
    """Stop the hub with one line on stderr per problem (exit status 1), no traceback."""
    sys.exit("\n".join(MESSAGE_PREFIX + problem for problem in problems))
