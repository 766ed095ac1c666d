"""The manifest: what an image has installed, read once, and the tag values it gives (no engine: its answer is
stood in for)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from buildtool import engine, manifest
from buildtool.graph import build_graph
from buildtool.installed import installed_names, requirement_name
from buildtool.layout import BuildDir
from buildtool.matrix import Matrix

FACTS = {  # what the probe prints in an image of dash-all
    "python": "3.11", "python_version": "3.11.2", "os": "Debian GNU/Linux 12 (bookworm)",
    "python_packages": {"widget": "2.0.3", "Widget_Extras": "0.1", "jupyterhub": "6.0.0"},
    "os_packages": {"r-cran-shiny": "1.8.0+dfsg-1"}, "r_packages": {"shiny": "1.8.0", "R6": "2.5.1"},
}


@pytest.fixture
def probed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """engine.run_output answering FACTS; returns the references it was asked to run."""
    asked: list[str] = []

    def run_output(ref: str, command: Sequence[str]) -> str:
        asked.append(ref)
        return json.dumps(FACTS)

    monkeypatch.setattr(engine, "run_output", run_output)
    return asked


@pytest.mark.parametrize("source", ["local", "upstream"])
def test_each_framework_lists_its_packages_with_the_installed_versions(mini_matrix: Matrix, probed: list[str],
                                                                       source: str) -> None:
    """R's shiny is r-cran-shiny to apt (local) and r-shiny to conda (upstream): the same package in the image."""
    graph = build_graph(mini_matrix, source)
    found = manifest.collect(graph, graph.targets["dash-all"], "example/dash-all:1.2.3", "f1")
    assert found.frameworks == {"widget": {"widget": "2.0.3", "widget-extras": "0.1"}, "shiny": {"shiny (R)": "1.8.0"}}
    assert probed == ["example/dash-all:1.2.3"]


def test_image_values_are_python_and_every_installed_package(mini_matrix: Matrix, probed: list[str]) -> None:
    graph = build_graph(mini_matrix, "local")
    values = manifest.collect(graph, graph.targets["dash-all"], "example/dash-all:1.2.3", "f1").image_values()
    assert values["python"] == "3.11"
    assert values["python:widget"] == "2.0.3" and values["python:widget-extras"] == "0.1"
    assert values["r:shiny"] == "1.8.0" and values["r:r6"] == "2.5.1"
    assert not any(name.startswith("os:") or "r-cran-shiny" in name for name in values)


def test_a_written_manifest_is_reused_while_the_fingerprint_holds(mini_matrix: Matrix, probed: list[str],
                                                                  tmp_path: Path) -> None:
    build_dir = BuildDir(tmp_path)
    graph = build_graph(mini_matrix, "local")
    found = manifest.collect(graph, graph.targets["dash-all"], "example/dash-all:1.2.3", "f1")
    _, md_path = manifest.write(build_dir, found)
    assert "| shiny | shiny (R) | 1.8.0 |" in md_path.read_text()
    again = manifest.load_cached(build_dir, "dash-all", "f1")
    assert again is not None and again.image_values() == found.image_values()
    assert manifest.load_cached(build_dir, "dash-all", "f2") is None


@pytest.mark.parametrize(("spec", "name"), [
    ("voila==0.5.13", "voila"), ("Jupyter_Server>=2", "jupyter-server"), ("zope.interface", "zope-interface"),
    ("tornado>=6.2,<6.6", "tornado"), ("dask[complete]==2026.8.*", "dask"),
])
def test_requirements_name_the_distribution_pip_lists(spec: str, name: str) -> None:
    assert requirement_name(spec) == name


def test_r_packages_are_named_as_r_knows_them_whichever_manager_installs_them() -> None:
    packages = {"apt": ("r-cran-shiny", "r-cran-data.table", "git"), "conda": ("r-shiny=1.8", "r-base"),
                "pip": ("widget==1",)}
    assert installed_names(packages, ["apt", "pip"]) == {"python": ("widget",), "r": ("shiny", "data.table")}
    assert installed_names(packages, ["conda", "pip"]) == {"python": ("widget",), "r": ("shiny", "base")}
