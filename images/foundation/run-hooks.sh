#!/bin/bash
# run-hooks.sh DIR: run the hooks in DIR in name order. Sourced by start.sh: a `*.sh` hook is sourced into the
# starting shell (it can export variables for the command), any other executable file is run, anything else is
# skipped. A hook that fails is reported and the start goes on, as in Jupyter Docker Stacks: one broken hook
# must not keep a server from starting.

declare -F _log_info >/dev/null || source /usr/local/bin/_docker_stacks_log.sh

# The same messages as Jupyter Docker Stacks' run-hooks.sh (their tests read them).
if [ $# -ne 1 ]; then
    _log_error "Should pass exactly one directory"
    return 1 2>/dev/null || exit 1
fi
if [ ! -d "${1}" ]; then
    _log_error "Directory ${1} doesn't exist or is not a directory"
    return 1 2>/dev/null || exit 1
fi

# start.sh runs with `set -e`; a failing hook must not end it, and a hook that turns errexit on must not leak
# it to the next one.
case "$-" in *e*) _hooks_errexit=yes ;; *) _hooks_errexit=no ;; esac
set +e

_log_info "Running hooks in: ${1} as uid: $(id -u) gid: $(id -g)"
for _hook in "${1}"/*; do
    [ -e "${_hook}" ] || continue  # an empty directory
    if [[ "${_hook}" == *.sh ]]; then
        _log_info "Sourcing shell script: ${_hook}"
        # shellcheck disable=SC1090
        source "${_hook}"
        _hook_status=$?
        set +e
    elif [ -x "${_hook}" ]; then
        _log_info "Running executable: ${_hook}"
        "${_hook}"
        _hook_status=$?
    else
        _log_info "Ignoring non-executable: ${_hook}"
        continue
    fi
    [ "${_hook_status}" -eq 0 ] || _log_error "${_hook} has failed, continuing execution"
done
_log_info "Done running hooks in: ${1}"

[ "${_hooks_errexit}" = no ] || set -e
unset _hooks_errexit _hook _hook_status
