# Rendered by buildtool from matrix.yaml and images/scipy/Dockerfile.j2: do not edit.
# The scientific Python set, from wheels.
FROM containds/base-notebook:hub-6.1.1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER root
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends \
        pandoc \
        texlive-xetex \
        texlive-fonts-recommended \
        texlive-plain-generic \
        cm-super \
        dvipng \
        gcc \
        python3-dev

USER ${NB_UID}
RUN --mount=type=cache,target=/var/cache/buildtool/pip,uid=1000,gid=100 \
    --mount=type=secret,id=cacert,mode=0444 \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi && \
    umask 0002 && \
    PIP_CACHE_DIR=/var/cache/buildtool/pip pip install --disable-pip-version-check --no-warn-script-location \
        "numpy==2.4.*" \
        "scipy==1.17.*" \
        "pandas==3.1.*" \
        "matplotlib==3.11.*" \
        "seaborn==0.13.*" \
        "scikit-learn==1.9.*" \
        "scikit-image==0.26.*" \
        "statsmodels==0.15.*" \
        "sympy==1.14.*" \
        "numba==0.68.*" \
        "numexpr==2.14.*" \
        "bottleneck==1.6.*" \
        "dask==2026.8.*" \
        "h5py==3.16.*" \
        "tables==3.11.*" \
        "sqlalchemy==2.1.*" \
        "openpyxl==3.1.*" \
        "xlrd==2.0.*" \
        "beautifulsoup4==4.15.*" \
        "altair==6.3.*" \
        "ipywidgets==8.1.*" \
        "ipympl==0.10.*" \
        "cloudpickle==3.1.*" \
        "dill==0.4.*" \
        "patsy==1.0.*" \
        "cython==3.3.*" \
        "jupyterlab-git==0.55.*"

# Build matplotlib's font cache now, so the first plot in a container does not pay for it.
RUN MPLBACKEND=Agg python -c "import matplotlib.pyplot"

USER ${NB_UID}
WORKDIR ${HOME}
