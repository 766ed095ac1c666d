# Rendered by buildtool from matrix.yaml and hub/image/Dockerfile.j2: do not edit.
# JupyterHub with configurable-http-proxy, DockerSpawner and the hub's package (containds_hub: cdsdashboards
# made safe and working on this JupyterHub), in a venv at /opt/hub, run by an unprivileged user; its state lives
# on the /srv/jupyterhub/data volume.
# The wheels: cdsdashboards and NativeAuthenticator from their released sources plus hub/patches/ (a patch that
# no longer applies fails here), and the hub's own package. `build` also writes them to build/wheels/.
FROM docker.io/library/debian:bookworm-slim AS wheel-build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        python3 \
        python3-venv \
        patch

RUN python3 -m venv /opt/build
RUN --mount=type=cache,target=/var/cache/buildtool/pip \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip /opt/build/bin/pip download --disable-pip-version-check --no-deps \
        --no-binary :all: --dest /sources \
        "cdsdashboards==0.6.3" \
        "jupyterhub-nativeauthenticator==1.3.0"
COPY build-wheels patched.json /build/
COPY patches/ /build/patches/
COPY package/ /build/package/
RUN --mount=type=cache,target=/var/cache/buildtool/pip \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip /opt/build/bin/python /build/build-wheels /build/patched.json /sources \
        /build/patches /build/package /wheels

FROM scratch AS wheels
COPY --from=wheel-build /wheels/ /
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
        iptables

ENV VIRTUAL_ENV=/opt/hub
ENV PATH="${VIRTUAL_ENV}/bin:${PATH}"
RUN python3 -m venv "${VIRTUAL_ENV}"

# Exactly the wheels of the first stage (mounted, not copied: no layer keeps them), with this line's JupyterHub
# and DockerSpawner; the hub package's other dependencies from PyPI.
RUN --mount=type=cache,target=/var/cache/buildtool/pip \
    --mount=type=secret,id=cacert,mode=0444 \
    --mount=type=bind,from=wheels,target=/tmp/wheels \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        --find-links /tmp/wheels \
        "jupyterhub==6.1.1" \
        "dockerspawner==14.0.0" \
        "jupyterhub-idle-culler==2.0.0" \
        "jsonschema[format-nongpl]>=4.18,<4.25" \
        "$(echo /tmp/wheels/containds_hub-*.whl)[native]"

COPY jupyterhub_config.py /etc/jupyterhub/
RUN useradd --system --uid 990 --home-dir /srv/jupyterhub --create-home --shell /usr/sbin/nologin jupyterhub && \
    mkdir -p /srv/jupyterhub/data && chown -R jupyterhub: /srv/jupyterhub

USER jupyterhub
WORKDIR /srv/jupyterhub
VOLUME /srv/jupyterhub/data
EXPOSE 8000
ENTRYPOINT ["tini", "-g", "--"]
CMD ["jupyterhub", "--config", "/etc/jupyterhub/jupyterhub_config.py"]
