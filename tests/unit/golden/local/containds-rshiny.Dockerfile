# Rendered by buildtool from matrix.yaml and images/layers/Dockerfile.j2: do not edit.
# containds-rshiny: R Shiny and Voila dashboards with R
# Adds rshiny; the image has singleuser, voila, rshiny.
FROM containds/jh-voila-oauth-r:0.6.3

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        r-cran-shiny

USER root
COPY layers/rshiny/run-shiny-app /usr/local/bin/run-shiny-app

USER ${NB_UID}
WORKDIR ${HOME}
