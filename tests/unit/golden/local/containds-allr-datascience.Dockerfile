# Rendered by buildtool from matrix.yaml and images/layers/Dockerfile.j2: do not edit.
# containds-allr-datascience: Every presentation type (Voila, Streamlit, Dash, Bokeh, Panel, R Shiny) with Python and R
# Adds streamlit, dash, bokeh, panel, rshiny; the image has singleuser, voila, streamlit, dash, bokeh, panel, rshiny.
FROM containds/jh-voila-oauth-datascience:0.6.3

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        r-cran-shiny

USER ${NB_UID}
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=1000,gid=100 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "streamlit==1.67.0" \
        "dash==4.4.1" \
        "plotlydash-tornado-cmd==0.0.6" \
        "bokeh==3.9.2" \
        "bokeh-root-cmd==0.1.2" \
        "panel==1.9.4"

USER root
COPY layers/rshiny/run-shiny-app /usr/local/bin/run-shiny-app

USER ${NB_UID}
WORKDIR ${HOME}
