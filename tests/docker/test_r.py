"""R: the IRkernel is registered with Jupyter and the R packages load, on every image whose stack provides R."""

from __future__ import annotations

import json

from tests.docker.containers import TrackedContainer

PROVIDES = "r"


def test_r_kernel_is_registered(container: TrackedContainer) -> None:
    specs = json.loads(container.check(["jupyter", "kernelspec", "list", "--json"]))
    assert "ir" in specs["kernelspecs"]
    assert specs["kernelspecs"]["ir"]["spec"]["language"] == "R"


PACKAGES = ["shiny", "tidyverse", "rmarkdown", "IRkernel"]


def test_r_packages_load(container: TrackedContainer) -> None:
    script = "; ".join(f"suppressMessages(library({p})); cat('loaded {p}\\n')" for p in PACKAGES)
    output = container.check(["Rscript", "-e", script])
    assert output.split("\n")[:len(PACKAGES)] == [f"loaded {p}" for p in PACKAGES], output



def test_r_plots_are_sent_in_every_notebook_format(container: TrackedContainer) -> None:
    """jupyter.plot_mimetypes in R's profile, as Jupyter Docker Stacks' R images set it."""
    output = container.check(["Rscript", "-e", "cat(getOption('jupyter.plot_mimetypes'), sep = '\\n')"])
    assert output.split() == ["text/plain", "image/png", "image/jpeg", "image/svg+xml", "application/pdf"]
