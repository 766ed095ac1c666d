# Rendered by buildtool from matrix.yaml and images/foundation/Dockerfile.j2: do not edit.
# The Jupyter Docker Stacks contract (user, environment, scripts, entrypoint) on a Debian root.
FROM containds/debian-root:bookworm

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV NB_USER=jovyan \
    NB_UID=1000 \
    NB_GID=100 \
    CONDA_DIR=/opt/conda \
    SHELL=/bin/bash \
    LANG=C.UTF-8 \
    LC_ALL=C.UTF-8
ENV PATH="${CONDA_DIR}/bin:${PATH}" \
    HOME="/home/${NB_USER}"

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        python3 \
        python3-venv \
        tini \
        sudo \
        ca-certificates \
        netbase \
        bzip2 \
        less

COPY start.sh run-hooks.sh _docker_stacks_log.sh fix-permissions /usr/local/bin/
COPY conda-dir-path.sh /etc/profile.d/

# The notebook user in the users group (gid 100 in Debian), a Python environment at CONDA_DIR that this
# group may write to, and the two hook directories start.sh runs. The environment comes first on PATH for
# login shells (/etc/profile.d) and for sudo (secure_path). /etc/passwd is writable by group root, so that
# start.sh can name a uid the image does not know (`--user 1010`, whose group is root).
RUN useradd --no-log-init --create-home --shell /bin/bash --uid "${NB_UID}" --gid "${NB_GID}" "${NB_USER}" && \
    echo "auth requisite pam_deny.so" >> /etc/pam.d/su && \
    python3 -m venv "${CONDA_DIR}" && \
    mkdir -p /usr/local/bin/start-notebook.d /usr/local/bin/before-notebook.d && \
    chown -R "${NB_UID}:${NB_GID}" "${CONDA_DIR}" && \
    fix-permissions "${CONDA_DIR}" "/home/${NB_USER}" && \
    sed -i "s#@CONDA_DIR@#${CONDA_DIR}#g" /etc/profile.d/conda-dir-path.sh && \
    sed -n "s#^Defaults\s*secure_path\s*=\s*\"\?\([^\"]*\)\"\?#Defaults secure_path=\"${CONDA_DIR}/bin:\1\"#p" /etc/sudoers \
        >/etc/sudoers.d/path && \
    grep -q "${CONDA_DIR}/bin:" /etc/sudoers.d/path && chmod 0440 /etc/sudoers.d/path && \
    chmod g+w /etc/passwd

ENTRYPOINT ["tini", "-g", "--", "start.sh"]

USER ${NB_UID}
WORKDIR ${HOME}
