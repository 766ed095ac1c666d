"""Names the hub gives a dashboard's server: valid on JupyterHub 6 whatever the dashboard is called, stable.

JupyterHub 6 accepts a named server only if its name is 1-30 lowercase letters, digits and single hyphens,
starting with a letter. cdsdashboards names a dashboard's server `dash-<urlname>`, where the urlname (made
from the dashboard's name, up to 35 characters plus a `-<n>` counter, globally unique, never changed) is often
too long; rows written by older or patched versions may hold anything. Such a name keeps what it can of
the urlname and ends with a digest of it: still unique, and the same on every hub start and on every line, so
a hub upgraded from JupyterHub 5 finds each dashboard's server under the name it always had when that name was
valid, and under the same new name on both lines otherwise.

Pure logic (no JupyterHub import): unit-tested on its own.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

PREFIX = "dash-"
MAX_LENGTH = 30
DIGEST_LENGTH = 8
VALID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def dashboard_server_name(urlname: str) -> str:
    """The named server presenting the dashboard with this urlname."""
    plain = PREFIX + urlname
    if len(plain) <= MAX_LENGTH and VALID.fullmatch(plain):
        return plain
    digest = hashlib.sha256(urlname.encode()).hexdigest()[:DIGEST_LENGTH]
    room = MAX_LENGTH - len(PREFIX) - 1 - DIGEST_LENGTH
    words = "-".join(re.findall(r"[a-z0-9]+", urlname.lower()))[:room].strip("-")
    return f"{PREFIX}{words}-{digest}" if words else f"{PREFIX}{digest}"


def display_name(dashboard_name: str) -> str:
    """The dashboard's name as JupyterHub 6 shows a server's display name: 1-255 characters, single spaces,
    none at either end."""
    return " ".join(dashboard_name.split())[:255].strip() or "dashboard"


def unique_client_id(user: str, server: str) -> str:
    """A server's OAuth client id that no other (user, server) pair can have. JupyterHub's own,
    `jupyterhub-user-<user>-<server>`, is the same for user `bob` + server `dash-dash-z` and user `bob-dash` +
    server `dash-z`; here the parts are quoted and joined by `!`, which `quote` always escapes inside them, so
    the split is unambiguous, and no JupyterHub-made id contains it."""
    return f"jupyterhub-user-{quote(user, safe='')}!{quote(server, safe='')}"
