#!/bin/bash
# start.sh [COMMAND...]: the entrypoint of every image (under tini), with the start-up options Jupyter Docker
# Stacks documents. Runs the start-notebook.d hooks, then:
# - as root: fits the notebook user to NB_USER / NB_UID / NB_GID (NB_GROUP), honours CHOWN_HOME(_OPTS),
#   CHOWN_EXTRA(_OPTS) and GRANT_SUDO, runs the before-notebook.d hooks and runs COMMAND as that user (as root
#   itself for NB_USER=root NB_UID=0 NB_GID=0);
# - as any other user: gives a uid unknown to /etc/passwd (`docker run --user 1010`) a name, warns about what
#   only root could change, runs the before-notebook.d hooks and execs COMMAND.
# JUPYTER_ENV_VARS_TO_UNSET names variables (comma-separated) the command must not see. Without COMMAND: bash.
#
# Files are never moved: a renamed user's home is a link to /home/jovyan, so a volume mounted below it stays
# where it is, and uid or gid changes re-own nothing but what CHOWN_HOME / CHOWN_EXTRA name.
set -e
source /usr/local/bin/_docker_stacks_log.sh
_log_info "Entered start.sh with args: $*"

if [ $# -gt 0 ]; then
    cmd=("$@")
else
    cmd=(bash)
fi

is_true() { [[ "${1:-}" == "1" || "${1,,}" == "yes" || "${1,,}" == "true" ]]; }

unset_listed_variables() {
    local name
    for name in ${JUPYTER_ENV_VARS_TO_UNSET//,/ }; do
        _log_info "Unset ${name} due to JUPYTER_ENV_VARS_TO_UNSET"
        unset "${name}"
    done
    unset JUPYTER_ENV_VARS_TO_UNSET
}

# start.sh is the entrypoint: a command that names it again gets it once.
if [ "${_START_SH_EXECUTED:-}" = 1 ]; then
    _log_warn "start.sh is the default ENTRYPOINT, do not include it in CMD"
    _log_info "Executing the command: ${cmd[*]}"
    exec "${cmd[@]}"
fi
export _START_SH_EXECUTED=1

source /usr/local/bin/run-hooks.sh /usr/local/bin/start-notebook.d

if [ "$(id -u)" = 0 ]; then
    NB_USER="${NB_USER:-jovyan}"
    NB_UID="${NB_UID:-1000}"
    NB_GID="${NB_GID:-100}"
    as_root=no
    [[ "${NB_USER}" == root && "${NB_UID}" == 0 && "${NB_GID}" == 0 ]] && as_root=yes

    if [ "${as_root}" = yes ]; then
        # Root keeps its account; its home becomes /home/root like every notebook user's (usermod refuses to
        # change a user that runs processes, and root runs this one).
        sed -i 's#^\(root:[^:]*:0:0:[^:]*:\)/root:#\1/home/root:#' /etc/passwd
        [ -e /home/root ] || ln -s /home/jovyan /home/root
    else
        # Rename: /etc/passwd only (usermod --move-home would move a volume mounted below the old home).
        if [ "${NB_USER}" != jovyan ] && id jovyan >/dev/null 2>&1 && ! id "${NB_USER}" >/dev/null 2>&1; then
            usermod --login "${NB_USER}" --home "/home/${NB_USER}" jovyan
            # Jupyter Docker Stacks' own lines (their tests read them).
            _log_info "Updated the jovyan user:"
            _log_info "- username: jovyan       -> ${NB_USER}"
            _log_info "- home dir: /home/jovyan -> /home/${NB_USER}"
        elif ! id "${NB_USER}" >/dev/null 2>&1; then
            _log_fatal "Neither the jovyan user nor '${NB_USER}' exists: was this container started before with another NB_USER?"
        fi
        # uid and gid: the account is made anew (usermod --uid/--gid would re-own every file below the home,
        # mounted volumes included).
        if [ "${NB_UID}" != "$(id -u "${NB_USER}")" ] || [ "${NB_GID}" != "$(id -g "${NB_USER}")" ]; then
            _log_info "Update ${NB_USER}'s UID:GID to ${NB_UID}:${NB_GID}"
            if [ "${NB_GID}" != "$(id -g "${NB_USER}")" ]; then
                groupadd --force --gid "${NB_GID}" --non-unique "${NB_GROUP:-${NB_USER}}"
            fi
            userdel "${NB_USER}"
            useradd --no-log-init --no-create-home --home-dir "/home/${NB_USER}" --shell /bin/bash \
                --uid "${NB_UID}" --non-unique --gid "${NB_GID}" --groups 100 "${NB_USER}"
        fi
        if [ "${NB_USER}" != jovyan ] && [ ! -e "/home/${NB_USER}" ]; then
            ln -s /home/jovyan "/home/${NB_USER}"
            _log_info "Linked /home/${NB_USER} to /home/jovyan"
        fi
    fi
    home="$(getent passwd "${NB_USER}" | cut -d: -f6)"
    if [[ "${NB_USER}" != jovyan && "${PWD}/" == /home/jovyan/* ]]; then
        cd "${home}${PWD#/home/jovyan}"
        _log_info "Changing working directory to ${PWD}"
    fi

    if is_true "${CHOWN_HOME:-}"; then
        _log_info "Ensuring ${home} is owned by ${NB_UID}:${NB_GID} ${CHOWN_HOME_OPTS:+(chown options: ${CHOWN_HOME_OPTS})}"
        # The trailing slash makes chown act on the directory a linked home points to.
        # shellcheck disable=SC2086
        chown ${CHOWN_HOME_OPTS:-} "${NB_UID}:${NB_GID}" "${home}/"
    fi
    if [ -n "${CHOWN_EXTRA:-}" ]; then
        for path in ${CHOWN_EXTRA//,/ }; do
            _log_info "Ensuring ${path} is owned by ${NB_UID}:${NB_GID} ${CHOWN_EXTRA_OPTS:+(chown options: ${CHOWN_EXTRA_OPTS})}"
            # shellcheck disable=SC2086
            chown ${CHOWN_EXTRA_OPTS:-} "${NB_UID}:${NB_GID}" "${path}"
        done
    fi
    if is_true "${GRANT_SUDO:-}"; then
        _log_info "Granting ${NB_USER} passwordless sudo rights!"
        echo "${NB_USER} ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/added-by-start-script
        chmod 0440 /etc/sudoers.d/added-by-start-script
    fi

    source /usr/local/bin/run-hooks.sh /usr/local/bin/before-notebook.d
    unset_listed_variables
    _log_info "Running as ${NB_USER}: ${cmd[*]}"
    if [ "${as_root}" = yes ]; then
        HOME=/home/root exec "${cmd[@]}"
    fi
    # sudo finds the command on its secure_path (CONDA_DIR/bin first, /etc/sudoers.d/path) and would reset
    # PATH: pass ours on, for what the command starts.
    exec sudo --preserve-env --set-home --user "${NB_USER}" \
        PATH="${PATH}" PYTHONPATH="${PYTHONPATH:-}" LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" "${cmd[@]}"
fi

# Not root: act as the user the container was started as.
is_true "${GRANT_SUDO:-}" && _log_warn "container must be started as root to grant sudo permissions!"
jovyan_uid="$(id -u jovyan 2>/dev/null || true)"  # the image's own, before a nameless uid takes the name
jovyan_gid="$(id -g jovyan 2>/dev/null || true)"

# A uid without a name (`--user 1010`, as OpenShift-like platforms run) breaks whoami, ssh, git and more:
# take the notebook user's name for it. /etc/passwd is writable by group root (gid 0, what such platforms
# give), not by the notebook user.
if ! whoami >/dev/null 2>&1; then
    _log_info "There is no entry in /etc/passwd for our UID=$(id -u). Attempting to fix..."
    if [ -w /etc/passwd ]; then
        # /etc itself is not writable: build the new file elsewhere, then overwrite /etc/passwd in place.
        sed -e "s/^jovyan:/nayvoj:/" /etc/passwd >/tmp/passwd
        echo "${NB_USER:-jovyan}:x:$(id -u):$(id -g):,,,:/home/jovyan:/bin/bash" >>/tmp/passwd
        cat /tmp/passwd >/etc/passwd
        rm /tmp/passwd
        _log_info "Added new ${NB_USER:-jovyan} user ($(id -u):$(id -g)). Fixed UID!"
        if [ "${NB_USER:-jovyan}" != jovyan ]; then
            _log_warn "user is ${NB_USER} but home is /home/jovyan. You must run as root to rename the home directory!"
        fi
    else
        _log_warn "unable to fix missing /etc/passwd entry because we don't have write permission. Try setting gid=0 with \"--user=$(id -u):0\"."
    fi
fi

if [[ -n "${NB_USER:-}" && "${NB_USER}" != jovyan && "${NB_USER}" != "$(id -un 2>/dev/null)" ]]; then
    _log_warn "container must be started as root to change the desired user's name with NB_USER=\"${NB_USER}\"!"
fi
if [[ -n "${NB_UID:-}" && "${NB_UID}" != "${jovyan_uid}" && "${NB_UID}" != "$(id -u)" ]]; then
    _log_warn "container must be started as root to change the desired user's id with NB_UID=\"${NB_UID}\"!"
fi
if [[ -n "${NB_GID:-}" && "${NB_GID}" != "${jovyan_gid}" && "${NB_GID}" != "$(id -g)" ]]; then
    _log_warn "container must be started as root to change the desired user's group id with NB_GID=\"${NB_GID}\"!"
fi
if [ ! -w /home/jovyan ]; then
    _log_warn "no write access to /home/jovyan. Try starting the container with group 'users' (100), e.g. using \"--group-add=users\"."
fi

source /usr/local/bin/run-hooks.sh /usr/local/bin/before-notebook.d
unset_listed_variables
_log_info "Executing the command: ${cmd[*]}"
exec "${cmd[@]}"
