# Rendered by buildtool from matrix.yaml and images/base/Dockerfile.j2: do not edit.
# JupyterLab, notebook and jupyterhub-singleuser (the hub's version), with the start scripts and healthcheck.
FROM containds/foundation:hub-6.1.1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        git \
        openssl

USER ${NB_UID}
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=1000,gid=100 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "jupyterhub==6.1.1" \
        "jupyterlab==4.6.6" \
        "notebook==7.6.5" \
        "nbclassic==1.3.3" \
        "jsonschema[format-nongpl]>=4.18,<4.25"

USER root
COPY start-notebook.py start-singleuser.py start-notebook.sh start-singleuser.sh run-one-constantly /usr/local/bin/
COPY jupyter_server_config.py docker_healthcheck.py /etc/jupyter/

ENV JUPYTER_PORT=8888
EXPOSE ${JUPYTER_PORT}
CMD ["start-notebook.py"]

# Asks the running server's /api, wherever it listens (a plain notebook or a hub's single-user server), at
# Jupyter Docker Stacks' pace.
HEALTHCHECK --interval=3s --timeout=3s --start-period=3s --retries=3 \
    CMD /etc/jupyter/docker_healthcheck.py || exit 1

USER ${NB_UID}
WORKDIR ${HOME}
