"""Which servers may be a dashboard's source server: one of the owner's own notebook servers, or none.

The dashboard form names one as `server:<name>` (`<name>` empty for the default server), or nothing. Anything else
(another user's server, a dashboard's, a crafted value) is refused with HTTP 400; so is nothing when the operator
requires a source server, and anything when source servers are off or unavailable (`Refused`, which the form's
handler answers with HTTP 400). Pure logic: unit-tested on its own; containds_hub.handlers serves the form with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from containds_hub import naming


class Refused(ValueError):
    """A source server the form may not name; the message is shown to its owner."""


SETTING = "containds_source_servers"  # tornado setting: the policy, and why it is off when it is
VALUE_PREFIX = "server:"


@dataclass(frozen=True)
class SourceServers:
    policy: str  # off, optional or required
    unavailable: str = ""  # why the form offers none although the policy is not off (e.g. on Swarm)


@dataclass(frozen=True)
class Choice:
    name: str  # "" for the default server
    label: str
    running: bool


def source_servers(orm_user: Any) -> list[Choice]:
    """The owner's notebook servers, the default first: never a dashboard's."""
    names = sorted(name for name in orm_user.orm_spawners if not name.startswith(naming.PREFIX))
    if "" not in names:
        names.insert(0, "")  # the default server exists for every user, started or not
    spawners = orm_user.orm_spawners
    return [Choice(name, name or "My Server (default)",
                   bool(spawners.get(name) is not None and spawners[name].server is not None)) for name in names]


def parse(value: str | None, orm_user: Any, policy: SourceServers) -> dict[str, str] | None:
    """The checked choice: {"server": name}, or None for none; Refused for anything not allowed."""
    if value in (None, ""):
        if policy.policy == "required" and not policy.unavailable:
            raise Refused("this hub builds every dashboard from a source server: choose one of yours")
        return None
    if policy.policy == "off" or policy.unavailable:
        why = f": {policy.unavailable}" if policy.unavailable else ""
        raise Refused(f"source servers are not available on this hub{why}")
    name = value.removeprefix(VALUE_PREFIX) if value.startswith(VALUE_PREFIX) else None
    if name is None or name not in {choice.name for choice in source_servers(orm_user)}:
        raise Refused(f"refused source server {value!r}: one of your own notebook servers expected")
    return {"server": name}
