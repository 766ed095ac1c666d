# Rendered by buildtool from matrix.yaml and images/layers/Dockerfile.j2: do not edit.
# containds-rshiny: R Shiny and Voila dashboards with R
# Adds rshiny; the image has singleuser, voila, rshiny.
FROM containds/jh-voila-oauth-r:0.6.3

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER ${NB_UID}
RUN --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export CONDA_SSL_VERIFY=/run/secrets/cacert; fi && \
    mamba install --yes \
        "r-shiny" \
    && mamba clean --all -f -y && \
    fix-permissions "${CONDA_DIR}" && fix-permissions "/home/${NB_USER}"

USER root
COPY layers/rshiny/run-shiny-app /usr/local/bin/run-shiny-app

USER ${NB_UID}
WORKDIR ${HOME}
