"""The scientific Python set, on every image whose stack provides it."""

from __future__ import annotations

import pytest

from tests.docker.containers import TrackedContainer

PROVIDES = "scipy"
MODULES = ["numpy", "scipy", "pandas", "matplotlib", "seaborn", "sklearn", "skimage", "statsmodels", "sympy",
           "numba", "dask", "h5py", "tables", "sqlalchemy", "openpyxl", "bs4", "altair", "ipywidgets", "ipympl"]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports(container: TrackedContainer, module: str) -> None:
    container.check(["python", "-c", f"import {module}"])


def test_matplotlib_renders_a_figure(container: TrackedContainer) -> None:
    script = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; import io; "
              "b = io.BytesIO(); plt.plot([1, 2, 3]); plt.savefig(b, format='png'); print(len(b.getvalue()))")
    assert int(container.check(["python", "-c", script]).strip().splitlines()[-1]) > 1000
