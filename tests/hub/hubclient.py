"""A hub user as a browser would be one: a cookie session that logs in, follows redirects and OAuth, fills forms.

Only what the end-to-end test needs: log in, start the notebook server, write files through the Jupyter
contents API, create and edit dashboards through cdsdashboards' forms, open a dashboard (accepting
JupyterHub's one-time "Authorize access" page as a person would click it).
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests

from tests.waiting import wait_until

FORM = re.compile(r"<form[^>]*action=\"([^\"]*)\"[^>]*>(.*?)</form>", re.S | re.I)
INPUT = re.compile(r"<input([^>]*)>", re.I)
ATTRIBUTE = re.compile(r"(\w+)=\"([^\"]*)\"")


@dataclass
class HubUser:
    base_url: str  # e.g. http://127.0.0.1:18000
    name: str
    password: str
    session: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def xsrf(self, path: str = "/hub/") -> str:
        """The _xsrf cookie a browser would send to `path`: the one with the longest matching path."""
        matching = [c for c in self.session.cookies if c.name == "_xsrf" and path.startswith(c.path or "/")]
        best = max(matching, key=lambda c: len(c.path or "/"), default=None)
        return best.value if best is not None and best.value else ""

    def login(self) -> None:
        self.session.get(self.url("/hub/login"), timeout=30)
        response = self.session.post(
            self.url("/hub/login"), timeout=30,
            data={"username": self.name, "password": self.password, "_xsrf": self.xsrf()},
        )
        if "/hub/login" in response.url:
            raise AssertionError(f"{self.name} could not log in ({response.status_code})")

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"X-XSRFToken": self.xsrf(), "Referer": self.url("/hub/home")}
        return self.session.request(method, self.url(f"/hub/api/{path}"), headers=headers, timeout=60, **kwargs)

    def start_server(self, server: str = "", options: dict | None = None, timeout: float = 240) -> float:
        """Start a server (the default one unless named), with user options if given, and wait until it is
        ready; returns the seconds it took."""
        started = time.monotonic()
        path = f"users/{self.name}/servers/{server}" if server else f"users/{self.name}/server"
        response = self.api("POST", path, **({"json": options} if options is not None else {}))
        already_running = response.status_code == 400 and "already" in response.text
        if response.status_code not in (201, 202) and not already_running:
            raise AssertionError(f"starting {self.name}'s server {server!r}: {response.status_code} "
                                 f"{response.text[:300]}")

        def ready() -> bool:
            model = self.server_model(server)
            assert model.get("ready"), f"the hub's model of it: {model}"
            return True

        wait_until(ready, timeout, interval=1, ignoring=(AssertionError,),
                   message=f"{self.name}'s server {server!r} was not ready within {timeout:.0f} s")
        return time.monotonic() - started

    def stop_server(self, server: str = "", timeout: float = 120) -> None:
        """Stop a server once it is neither starting nor stopping, and wait until it is gone."""
        wait_until(lambda: not self.server_model(server).get("pending"), timeout, interval=1,
                   message=f"{self.name}'s server {server!r} was still starting or stopping after {timeout:.0f} s")
        path = f"users/{self.name}/servers/{server}" if server else f"users/{self.name}/server"
        self.api("DELETE", path)
        wait_until(lambda: not self.server_model(server), timeout, interval=1,
                   message=f"{self.name}'s server {server!r} did not stop within {timeout:.0f} s")

    def server_model(self, server: str = "") -> dict:
        """The hub's model of one of this user's servers ({} when it is not running)."""
        return self.api("GET", f"users/{self.name}").json().get("servers", {}).get(server, {})

    def write_file(self, path: str, content: str) -> None:
        """PUT a text file through the Jupyter contents API of this user's own server."""
        server = f"/user/{self.name}/"
        self.session.get(self.url(server + "lab"), timeout=60)  # OAuth with the hub; sets the server's _xsrf
        response = self.session.put(
            self.url(f"{server}api/contents/{path}"), timeout=60,
            json={"type": "file", "format": "text", "content": content},
            headers={"X-XSRFToken": self.xsrf(server)},
        )
        if response.status_code not in (200, 201):
            raise AssertionError(f"writing {path}: {response.status_code} {response.text[:300]}")

    def read_file(self, path: str) -> str | None:
        """A text file's content through the contents API of this user's own server; None if there is none."""
        server = f"/user/{self.name}/"
        self.session.get(self.url(server + "lab"), timeout=60)  # OAuth with the hub, as for writing
        response = self.session.get(self.url(f"{server}api/contents/{path}"), timeout=60,
                                    params={"type": "file", "format": "text"})
        return response.json()["content"] if response.status_code == 200 else None

    def save_dashboard(self, name: str, presentation_type: str, start_path: str, viewers: list[str] | None,
                       urlname: str | None = None) -> str:
        """Create (or, with `urlname`, edit) a dashboard; viewers None means all users. Returns its urlname."""
        form = {
            "name": name, "description": f"{presentation_type} fixture", "presentation_type": presentation_type,
            "start_path": start_path, "source_type": "jupytertree",
            "user_permissions": "anyusers" if viewers is None else "selectedusers",
            "selected_users[]": viewers or [], "_xsrf": self.xsrf(),
        }
        path = f"/hub/dashboards/{urlname}/edit" if urlname else "/hub/dashboards-new"
        response = self.session.post(self.url(path), data=form, timeout=60, allow_redirects=False)
        location = response.headers.get("Location", "")
        match = re.search(r"/hub/dashboards/([^/]+)$", location)
        if response.status_code != 302 or not match:
            raise AssertionError(f"saving dashboard {name}: {response.status_code} {response.text[:500]}")
        return match.group(1)

    def open(self, path: str) -> requests.Response:
        """GET like a browser, clicking through JupyterHub's "Authorize access" page if it is shown."""
        response = self.session.get(self.url(path), timeout=120)
        form = authorize_form(response)
        if form is not None:
            action, fields = form
            response = self.session.post(urljoin(response.url, action), data=fields, timeout=120)
        return response


def authorize_form(response: requests.Response) -> tuple[str, list[tuple[str, str]]] | None:
    """JupyterHub's OAuth confirmation form (action, fields), if this is that page."""
    if "/hub/api/oauth2/authorize" not in response.url:
        return None
    for action, body in FORM.findall(response.text):
        fields = []
        for attributes in INPUT.findall(body):
            attrs = dict(ATTRIBUTE.findall(attributes))
            if "name" in attrs and (attrs.get("type") != "checkbox" or "checked" in attributes):
                fields.append((attrs["name"], html.unescape(attrs.get("value", ""))))
        return html.unescape(action) or response.url, fields
    return None
