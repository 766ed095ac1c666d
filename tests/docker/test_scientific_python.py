"""The scientific Python set, on every image whose stack provides it, with the tools Jupyter Docker Stacks'
scipy-notebook users rely on: PDF export (pandoc, TeX), matplotlib's usetex, cython, the JupyterLab git extension."""

from __future__ import annotations

import json
import re

from tests.docker.containers import TrackedContainer

PROVIDES = "scipy"
MODULES = ["numpy", "scipy", "pandas", "matplotlib", "seaborn", "sklearn", "skimage", "statsmodels", "sympy",
           "numba", "dask", "h5py", "tables", "sqlalchemy", "openpyxl", "bs4", "altair", "ipywidgets", "ipympl"]


def test_every_module_imports(container: TrackedContainer) -> None:
    # One container for all of them; the output names each module that failed.
    script = ("import importlib, sys\nfailed = []\nfor name in sys.argv[1:]:\n    try:\n"
              "        importlib.import_module(name)\n    except Exception as exc:\n"
              "        failed.append(f'{name}: {exc}')\nprint('\\n'.join(failed))")
    assert container.check(["python", "-c", script, *MODULES]).strip() == ""


def test_matplotlib_renders_a_figure(container: TrackedContainer) -> None:
    script = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; import io; "
              "b = io.BytesIO(); plt.plot([1, 2, 3]); plt.savefig(b, format='png'); print(len(b.getvalue()))")
    assert int(container.check(["python", "-c", script]).strip().splitlines()[-1]) > 1000


NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# PDF export\n\nWith $e^{i\\pi} + 1 = 0$."},
              {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "print(6 * 7)"}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


def test_a_notebook_exports_to_pdf(container: TrackedContainer) -> None:
    """nbconvert's PDF exporter: pandoc for the markdown, xelatex for the document."""
    script = (f"cd /tmp && printf '%s' '{json.dumps(NOTEBOOK)}' > export.ipynb && "
              "jupyter nbconvert --to pdf export.ipynb >/dev/null 2>&1 && head -c 5 export.pdf")
    assert container.check(["bash", "-c", script]).strip() == "%PDF-"


def test_matplotlib_typesets_with_latex(container: TrackedContainer) -> None:
    """text.usetex: latex and dvipng for PNG, cm-super's Type 1 fonts for PDF."""
    script = ("import io, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
              "plt.rcParams['text.usetex'] = True\n"
              "plt.title(r'$\\alpha^2 + \\beta_i$'); plt.plot([1, 2])\n"
              "for kind in ('png', 'pdf'):\n"
              "    b = io.BytesIO(); plt.savefig(b, format=kind); print(kind, len(b.getvalue()))")
    sizes = dict(line.split() for line in container.check(["python", "-c", script]).strip().splitlines())
    assert int(sizes["png"]) > 1000 and int(sizes["pdf"]) > 1000, sizes


def test_cython_builds_an_extension(container: TrackedContainer) -> None:
    script = ("cd /tmp && printf 'def twice(int x):\\n    return 2 * x\\n' > fast.pyx && "
              "python -c 'import pyximport; pyximport.install(language_level=3); import fast; print(fast.twice(21))'")
    assert container.check(["bash", "-c", script]).strip().splitlines()[-1] == "42"


def test_the_jupyterlab_git_extension_is_enabled(container: TrackedContainer) -> None:
    ansi = re.compile(r"\x1b\[[0-9;]*m")  # the lists are coloured
    lab = ansi.sub("", container.check(["bash", "-c", "jupyter labextension list 2>&1"]))
    server = ansi.sub("", container.check(["bash", "-c", "jupyter server extension list 2>&1"]))
    assert re.search(r"@jupyterlab/git v\S+ enabled OK", lab), lab
    assert re.search(r"jupyterlab_git enabled", server) and re.search(r"jupyterlab_git \S+ OK", server), server
