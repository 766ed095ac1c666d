#!/bin/bash
# Logging for start.sh, run-hooks.sh and hooks, with the names and prefixes Jupyter Docker Stacks uses, so a
# hook written for those images can call them and logs read the same: _log_info (silenced by
# JUPYTER_DOCKER_STACKS_QUIET), _log_warn ("WARNING: "), _log_error ("ERROR: "), _log_fatal ("FATAL: ",
# then exit 1). Everything goes to stderr, so a command's stdout stays its own.

_log_info() {
    [ -n "${JUPYTER_DOCKER_STACKS_QUIET:-}" ] || echo "$*" >&2
}
_log_warn() { echo "WARNING: $*" >&2; }
_log_error() { echo "ERROR: $*" >&2; }
_log_fatal() {
    echo "FATAL: $*" >&2
    exit 1
}
