"""R: the IRkernel is registered with Jupyter and the R packages load, on every image whose stack provides R."""

from __future__ import annotations

import json

import pytest

from tests.docker.containers import TrackedContainer

PROVIDES = "r"


def test_r_kernel_is_registered(container: TrackedContainer) -> None:
    specs = json.loads(container.check(["jupyter", "kernelspec", "list", "--json"]))
    assert "ir" in specs["kernelspecs"]
    assert specs["kernelspecs"]["ir"]["spec"]["language"] == "R"


@pytest.mark.parametrize("package", ["shiny", "tidyverse", "rmarkdown", "IRkernel"])
def test_r_package_loads(container: TrackedContainer, package: str) -> None:
    output = container.check(["Rscript", "-e", f"suppressMessages(library({package})); cat('loaded', '{package}')"])
    assert f"loaded {package}" in output

