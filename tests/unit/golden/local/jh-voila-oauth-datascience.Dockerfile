# Rendered by buildtool from matrix.yaml and images/layers/Dockerfile.j2: do not edit.
# jh-voila-oauth-datascience: Voila dashboards with scientific Python and R
# Adds singleuser, voila; the image has singleuser, voila.
FROM containds/datascience-notebook:hub-6.1.1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        git

USER ${NB_UID}
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=1000,gid=100 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "jupyterhub==6.1.1" \
        "jhsingle-native-proxy==0.8.3" \
        "cdsdashboards==0.6.3" \
        "async_generator==1.10" \
        "tornado>=6.2,<6.6" \
        "jsonschema[format-nongpl]>=4.18,<4.25" \
        "voila==0.5.13" \
        "voila-materialstream==0.4.0"

USER root
COPY layers/singleuser/containds-dashboard-proxy layers/singleuser/containds-bokeh-server /usr/local/bin/
COPY layers/singleuser/jupyter_server_config.py /usr/local/etc/jupyter/
COPY layers/singleuser/containds_hub_client.py layers/singleuser/containds_app_process.py \
     layers/singleuser/containds_activity.py /usr/local/lib/containds/
# On the Python path of every process of the stack's Python, as a .pth file in its site-packages puts it.
RUN echo /usr/local/lib/containds > "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/containds.pth"

USER ${NB_UID}
WORKDIR ${HOME}
