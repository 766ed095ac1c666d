# Rendered by buildtool from matrix.yaml and images/allr-datascience/Dockerfile.j2: do not edit.
# R from Debian's packages with the IRkernel registered, shiny, tidyverse and rmarkdown.
FROM containds/scipy-notebook:hub-6.1.1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        r-base-core \
        r-recommended \
        r-cran-irkernel \
        r-cran-shiny \
        r-cran-tidyverse \
        r-cran-rmarkdown \
        r-cran-htmlwidgets \
        fonts-dejavu-core \
        pandoc

# R kernels send plots in every format a notebook can show (and nbconvert can export), as Jupyter Docker
# Stacks' R images set it.
USER root
RUN echo "options(jupyter.plot_mimetypes = c('text/plain', 'image/png', 'image/jpeg', 'image/svg+xml', 'application/pdf'))" \
        >> /etc/R/Rprofile.site

USER ${NB_UID}
RUN R --quiet --no-save -e 'IRkernel::installspec(user = FALSE, prefix = Sys.getenv("CONDA_DIR"))' && \
    jupyter kernelspec list | grep -q "^ *ir "

USER ${NB_UID}
WORKDIR ${HOME}
