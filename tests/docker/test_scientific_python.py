"""The scientific Python set, on every image whose stack provides it."""

from __future__ import annotations

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
