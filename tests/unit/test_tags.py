"""Tags and references: the tag policy, then the frameworks' tags, which read installed versions from the image."""

from __future__ import annotations

from buildtool.buildinfo import BuildInfo
from buildtool.graph import build_graph
from buildtool.manifest import Manifest
from buildtool.matrix import Matrix
from buildtool.tags import all_refs, parent_ref, primary_ref

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-11-25")


def _manifest(python_packages: dict[str, str], r_packages: dict[str, str]) -> Manifest:
    return Manifest(target="dash-all", fingerprint="f", references=(), python="3.11", python_version="3.11.2",
                    os="Debian GNU/Linux 12 (bookworm)", frameworks={}, python_packages=python_packages,
                    r_packages=r_packages, os_packages={})


def test_image_tags_follow_the_policy_then_the_frameworks(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    values = {"python": "3.11", "python:widget": "2.0.3", "r:shiny": "1.7.4"}
    refs = all_refs(graph, graph.targets["dash-all"], INFO, image_values=values)
    assert refs == (
        "example/dash-all:1.2.3",
        "example/dash-all:hub-6.0.0",
        "example/dash-all:python-3.11",
        "example/dash-all:0123456789ab",
        "example/dash-all:2026-11-25",
        "example/dash-all:widget-2.0.3",  # inherited from dash-py
        "example/dash-all:r-shiny-1.7.4",
    )


def test_framework_tags_carry_what_the_image_has_installed_not_the_pins(mini_matrix: Matrix) -> None:
    """The matrix pins widget 2.0.1 and no shiny version at all; the image's manifest says what is there."""
    graph = build_graph(mini_matrix, "local")
    found = _manifest({"widget": "2.0.3+local.1", "widget-extras": "0.1"}, {"shiny": "1.8.0", "R6": "2.5.1"})
    refs = all_refs(graph, graph.targets["dash-all"], INFO, image_values=found.image_values())
    assert "example/dash-all:widget-2.0.3_local.1" in refs  # `+` is no tag character
    assert "example/dash-all:r-shiny-1.8.0" in refs
    assert not any(":widget-2.0.1" in ref for ref in refs)


def test_a_framework_tag_is_left_out_until_the_image_says_its_version(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    before = all_refs(graph, graph.targets["dash-all"], INFO)
    assert not any(":widget-" in ref or ":r-shiny-" in ref for ref in before)
    without_r = all_refs(graph, graph.targets["dash-all"], INFO,
                         image_values=_manifest({"widget": "2.0.3"}, {}).image_values())
    assert "example/dash-all:widget-2.0.3" in without_r and not any(":r-shiny-" in ref for ref in without_r)


def test_tags_needing_an_unknown_value_are_left_out(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    refs = all_refs(graph, graph.targets["dash-py"], BuildInfo(git_sha=None, build_date="2026-11-25"))
    assert refs == ("example/dash-py:1.2.3", "example/dash-py:hub-6.0.0", "example/dash-py:2026-11-25")


def test_parents_are_referred_to_by_their_primary_tag(mini_matrix: Matrix) -> None:
    local = build_graph(mini_matrix, "local")
    assert parent_ref(local, local.targets["dash-py"]) == "example/r-stack:hub-6.0.0"
    assert parent_ref(local, local.targets["dash-all"]) == "example/dash-py:1.2.3"
    upstream = build_graph(mini_matrix, "upstream")
    assert parent_ref(upstream, upstream.targets["dash-py"]) == "quay.io/example/r-stack:2026-01-05"


def test_other_registries_prefix_the_repository(mini_matrix: Matrix) -> None:
    graph = build_graph(mini_matrix, "local")
    refs = all_refs(graph, graph.targets["mini-hub"], INFO, registry="127.0.0.1:5000")
    assert refs == ("127.0.0.1:5000/example/mini-hub:1.2.3", "127.0.0.1:5000/example/mini-hub:hub-6.0.0",
                    "127.0.0.1:5000/example/mini-hub:0123456789ab")
    assert primary_ref(mini_matrix, graph.targets["mini-hub"]) == "example/mini-hub:1.2.3"
