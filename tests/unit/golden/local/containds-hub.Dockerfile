# Rendered by buildtool from matrix.yaml and hub/image/Dockerfile.j2: do not edit.
# JupyterHub with configurable-http-proxy, DockerSpawner and cdsdashboards, in a venv at /opt/hub.
FROM containds/debian-root:bookworm

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        python3 \
        python3-venv \
        node-configurable-http-proxy \
        tini \
        ca-certificates

ENV VIRTUAL_ENV=/opt/hub
ENV PATH="${VIRTUAL_ENV}/bin:${PATH}"
RUN python3 -m venv "${VIRTUAL_ENV}"

USER root
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=0,gid=0 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "jupyterhub==5.5.4" \
        "dockerspawner==14.0.0" \
        "cdsdashboards==0.6.3" \
        "async_generator==1.10"

WORKDIR /srv/jupyterhub
EXPOSE 8000
ENTRYPOINT ["tini", "-g", "--"]
CMD ["jupyterhub", "--config", "/srv/jupyterhub/jupyterhub_config.py"]
