#!/bin/bash
# run-hooks.sh DIR: run the hooks in DIR in name order. Sourced by start.sh, so a `*.sh` hook is sourced
# into the starting shell (it can export variables for the command); any other executable file is run.
# A hook that fails stops the start: a half-configured server is worse than none.

_hooks_dir="${1:-}"
if [ -z "${_hooks_dir}" ]; then
    echo "usage: run-hooks.sh DIR" >&2
    return 2 2>/dev/null || exit 2
fi
if [ ! -d "${_hooks_dir}" ]; then
    echo "run-hooks.sh: ${_hooks_dir} is not a directory" >&2
    return 1 2>/dev/null || exit 1
fi

echo "Running hooks in ${_hooks_dir} as uid $(id -u) gid $(id -g)" >&2
for _hook in "${_hooks_dir}"/*; do
    [ -e "${_hook}" ] || continue  # an empty directory
    case "${_hook}" in
        *.sh)
            echo "Sourcing ${_hook}" >&2
            # shellcheck disable=SC1090
            source "${_hook}" || { echo "run-hooks.sh: ${_hook} failed" >&2; return 1 2>/dev/null || exit 1; }
            ;;
        *)
            if [ -x "${_hook}" ]; then
                echo "Running ${_hook}" >&2
                "${_hook}" || { echo "run-hooks.sh: ${_hook} failed" >&2; return 1 2>/dev/null || exit 1; }
            else
                echo "Ignoring ${_hook}: neither *.sh nor executable" >&2
            fi
            ;;
    esac
done
unset _hooks_dir _hook
echo "Done running hooks in ${1}" >&2
