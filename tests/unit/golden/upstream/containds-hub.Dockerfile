# Rendered by buildtool from matrix.yaml and hub/image/Dockerfile.j2: do not edit.
# JupyterHub with configurable-http-proxy, DockerSpawner and cdsdashboards (patched for this JupyterHub),
# in a venv at /opt/hub, run by an unprivileged user; its state lives on the /srv/jupyterhub volume.
FROM docker.io/library/debian:bookworm-slim

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
        ca-certificates \
        patch

ENV VIRTUAL_ENV=/opt/hub
ENV PATH="${VIRTUAL_ENV}/bin:${PATH}"
RUN python3 -m venv "${VIRTUAL_ENV}"

USER root
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=0,gid=0 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "jupyterhub==6.1.1" \
        "dockerspawner==14.0.0" \
        "cdsdashboards==0.6.3" \
        "async_generator==1.10" \
        "jupyterhub-nativeauthenticator==1.3.0"

# The compat patches: a patch that no longer applies fails this build.
COPY patches/ /tmp/hub-patches/
COPY apply-patches /usr/local/bin/apply-patches
RUN apply-patches /tmp/hub-patches && rm -rf /tmp/hub-patches

COPY jupyterhub_config.py containds_spawner.py containds_builder.py naming.py user_options.py dashboard_access.py \
     defaults.json /etc/jupyterhub/
RUN useradd --system --uid 990 --home-dir /srv/jupyterhub --create-home --shell /usr/sbin/nologin jupyterhub && \
    mkdir -p /srv/jupyterhub/data && chown -R jupyterhub: /srv/jupyterhub

USER jupyterhub
WORKDIR /srv/jupyterhub
VOLUME /srv/jupyterhub/data
EXPOSE 8000
ENTRYPOINT ["tini", "-g", "--"]
CMD ["jupyterhub", "--config", "/etc/jupyterhub/jupyterhub_config.py"]
