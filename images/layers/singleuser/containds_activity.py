"""A dashboard page left open is a dashboard in use, for the hub's idle culler.

jhsingle-native-proxy reports to the hub, every --last-activity-interval, the time of the last request or
websocket message it proxied (with --no-force-alive, which the hub sets so that idle dashboards can be culled).
A page that stays open but quiet (a voila notebook that was read, a streamlit app nobody clicks) sends nothing,
and its dashboard would be stopped under its viewer. Here every open websocket counts as activity, refreshed
every TICK seconds while it stays open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tornado.ioloop import PeriodicCallback

TICK = 10  # seconds; well under the shortest report interval the hub sets
_open: set[Any] = set()
_ticker: list[PeriodicCallback] = []


def _mark_open_pages_active() -> None:
    for handler in list(_open):
        handler.settings["api_last_activity"] = datetime.utcnow()  # naive UTC, as jhsingle-native-proxy records it


def count_open_websockets(handler_class: Any) -> None:
    """Wrap the proxy handler's websocket open and close to keep the set of open pages."""
    opened, closed = handler_class.open, handler_class.on_close

    async def open_(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _ticker:  # first page: the IOLoop runs now
            _ticker.append(PeriodicCallback(_mark_open_pages_active, TICK * 1000))
            _ticker[0].start()
        _open.add(self)
        return await opened(self, *args, **kwargs)

    def on_close(self: Any) -> Any:
        _open.discard(self)
        return closed(self)

    handler_class.open, handler_class.on_close = open_, on_close
