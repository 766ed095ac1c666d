"""The hub's log: JupyterHub sends tornado's loggers through its own handlers, so lines logged here look like
the hub's own (and reach its log file), whether or not JupyterHub is imported yet."""

from __future__ import annotations

import logging

LOG = logging.getLogger("tornado.application")
