#!/bin/bash
# start.sh [COMMAND...]: the entrypoint of every image (under tini). Runs the start-notebook.d hooks; as
# root, first adapts the notebook user to NB_USER / NB_UID / NB_GID, honours CHOWN_HOME, CHOWN_EXTRA and
# GRANT_SUDO, runs the before-notebook.d hooks, then runs COMMAND as that user; as any other user, runs
# the before-notebook.d hooks and execs COMMAND directly. Without COMMAND it starts bash.
set -e

if [ $# -gt 0 ]; then
    cmd=("$@")
else
    cmd=(bash)
fi

is_true() { [[ "${1:-}" == "1" || "${1,,}" == "yes" || "${1,,}" == "true" ]]; }

source /usr/local/bin/run-hooks.sh /usr/local/bin/start-notebook.d

if [ "$(id -u)" == 0 ]; then
    NB_USER="${NB_USER:-jovyan}"
    NB_UID="${NB_UID:-1000}"
    NB_GID="${NB_GID:-100}"

    # Rename the image's user (jovyan, uid 1000) when another name is asked for; keep the old home path working.
    if ! id "${NB_USER}" >/dev/null 2>&1; then
        echo "Renaming user jovyan to ${NB_USER}" >&2
        usermod --login "${NB_USER}" --home "/home/${NB_USER}" --move-home jovyan
        ln -sfn "/home/${NB_USER}" /home/jovyan
        export HOME="/home/${NB_USER}"
        if [[ "${PWD}" == /home/jovyan* ]]; then cd "/home/${NB_USER}${PWD#/home/jovyan}"; fi
    fi
    if [ "$(id -g "${NB_USER}")" != "${NB_GID}" ]; then
        echo "Setting ${NB_USER}'s primary group to gid ${NB_GID}" >&2
        getent group "${NB_GID}" >/dev/null || groupadd --gid "${NB_GID}" "${NB_GROUP:-${NB_USER}}"
        usermod --gid "${NB_GID}" --append --groups users "${NB_USER}"
    fi
    if [ "$(id -u "${NB_USER}")" != "${NB_UID}" ]; then
        echo "Setting ${NB_USER}'s uid to ${NB_UID}" >&2
        usermod --non-unique --uid "${NB_UID}" "${NB_USER}"
    fi
    if is_true "${CHOWN_HOME:-}"; then
        echo "Changing ownership of /home/${NB_USER} to ${NB_UID}:${NB_GID} ${CHOWN_HOME_OPTS:-}" >&2
        # shellcheck disable=SC2086
        chown ${CHOWN_HOME_OPTS:-} "${NB_UID}:${NB_GID}" "/home/${NB_USER}"
    fi
    if [ -n "${CHOWN_EXTRA:-}" ]; then
        IFS=',' read -ra extra_paths <<<"${CHOWN_EXTRA}"
        for path in "${extra_paths[@]}"; do
            echo "Changing ownership of ${path} to ${NB_UID}:${NB_GID} ${CHOWN_EXTRA_OPTS:-}" >&2
            # shellcheck disable=SC2086
            chown ${CHOWN_EXTRA_OPTS:-} "${NB_UID}:${NB_GID}" "${path}"
        done
    fi
    if is_true "${GRANT_SUDO:-}"; then
        echo "Granting ${NB_USER} passwordless sudo" >&2
        echo "${NB_USER} ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/notebook-user
        chmod 0440 /etc/sudoers.d/notebook-user
    fi

    source /usr/local/bin/run-hooks.sh /usr/local/bin/before-notebook.d
    echo "Running as ${NB_USER}: ${cmd[*]}" >&2
    # sudo resets PATH to its secure_path: pass ours on so CONDA_DIR/bin stays first.
    exec sudo --preserve-env --set-home --user "${NB_USER}" \
        PATH="${PATH}" PYTHONPATH="${PYTHONPATH:-}" "${cmd[@]}"
fi

if [[ -n "${NB_UID:-}" && "${NB_UID}" != "$(id -u)" ]] || [[ -n "${NB_GID:-}" && "${NB_GID}" != "$(id -g)" ]]; then
    echo "WARNING: running as uid $(id -u) gid $(id -g); NB_UID/NB_GID changes need the container started as root" >&2
fi
source /usr/local/bin/run-hooks.sh /usr/local/bin/before-notebook.d
exec "${cmd[@]}"
