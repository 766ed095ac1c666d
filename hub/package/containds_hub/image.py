"""The hub of the containds-hub image: what a hub of its own chooses beyond the dashboards (where it listens, its
database and cookie secret on the data volume, how users log in). A hub of your own keeps its own choices and
calls only `containds_hub.configure`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from containds_hub.settings import HubSettings

AUTHENTICATORS = {
    "native": "nativeauthenticator.NativeAuthenticator",
    "dummy": "dummy",  # tests only: one shared password for every user name
}


class DataDirError(RuntimeError):
    pass


def configure_hub(c: Any, settings: HubSettings) -> None:
    data_dir = settings.data_dir
    if not data_dir.is_dir() or not os.access(data_dir, os.W_OK):
        raise DataDirError(f"CDS_DATA_DIR={data_dir}: a writable directory expected (mount the hub's data volume "
                           "there)")
    hub = c.JupyterHub
    hub.bind_url = f"http://0.0.0.0:{settings.hub_port}"
    hub.default_url = "/hub/home"  # viewers log in to see dashboards: start no server for them
    hub.cleanup_servers = False  # restarting or upgrading the hub leaves users' servers and dashboards up
    hub.hub_ip = "0.0.0.0"
    hub.hub_connect_ip = settings.hub_host  # how spawned servers reach the hub on the shared network
    hub.db_url = f"sqlite:///{data_dir / 'jupyterhub.sqlite'}"
    # A newer JupyterHub line migrates the database itself at start (SQLite: a backup is kept next to it).
    hub.upgrade_db = True
    hub.cookie_secret_file = str(data_dir / "jupyterhub_cookie_secret")  # made on first start
    c.ConfigurableHTTPProxy.pid_file = str(data_dir / "jupyterhub-proxy.pid")

    hub.authenticator_class = AUTHENTICATORS[settings.authenticator]
    c.Authenticator.admin_users = set(settings.admin_users)
    c.Authenticator.allow_all = True  # whoever the authenticator lets log in (with native: approved sign-ups)
    if settings.authenticator == "native":
        import nativeauthenticator

        # Sign-ups wait for an admin's approval; its pages need its templates next to the dashboards'.
        hub.template_paths = [*hub.get("template_paths", []),
                              str(Path(nativeauthenticator.__file__).parent / "templates")]
        c.NativeAuthenticator.open_signup = False
    elif settings.dummy_password is not None:
        c.DummyAuthenticator.password = settings.dummy_password.get_secret_value()
