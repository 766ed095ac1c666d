"""The matrix model: a matrix loads into the expected shape; every kind of bad input is reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from buildtool.errors import MatrixError
from buildtool.matrix import Matrix, load_matrix
from tests.unit.matrices import MINI_DIR, MINI_MATRIX, MINI_TEMPLATES, PROJECT_DIR


def test_the_matrix_loads_into_its_parts(mini_matrix: Matrix) -> None:
    assert mini_matrix.root.name == "mini-root"
    assert list(mini_matrix.stacks) == ["py-stack", "r-stack"]
    assert list(mini_matrix.frameworks) == ["widget", "shiny"]
    assert {name: image.parent for name, image in mini_matrix.images.items()} == {
        "dash-py": "r-stack", "dash-all": "dash-py"}
    assert mini_matrix.images["dash-all"].description == "dash-all"  # the name, unless described
    assert (mini_matrix.hub.name, mini_matrix.hub.singleuser_image) == ("mini-hub", "dash-all")


def test_versions_are_substituted_into_package_specs(mini_matrix: Matrix) -> None:
    assert mini_matrix.stacks["py-stack"].packages["pip"] == ("jupyterhub==6.0.0",)
    assert mini_matrix.frameworks["widget"].packages["pip"] == ("widget==2.0.1", "widget_extras==0.1")
    every_spec = [spec for fw in mini_matrix.frameworks.values() for specs in fw.packages.values() for spec in specs]
    assert not any("{" in spec for spec in every_spec)


def test_framework_tags_keep_their_placeholders_for_the_image_to_fill(mini_matrix: Matrix) -> None:
    assert mini_matrix.frameworks["widget"].tags == ("widget-{python:widget}",)
    assert mini_matrix.frameworks["shiny"].tags == ("r-shiny-{r:shiny}",)


def test_launchers_keep_their_arguments_and_environment(mini_matrix: Matrix) -> None:
    assert mini_matrix.frameworks["widget"].launcher.as_config() == {
        "args": ["--destport=0", "widget", "{presentation_path}", "{--}port={port}"], "env": {"WIDGET_QUIET": "1"}}
    assert mini_matrix.frameworks["shiny"].launcher.as_config() == {}


def test_yaml_anchors_share_lists(mini_matrix: Matrix) -> None:
    assert mini_matrix.hub.packages["apt"] == mini_matrix.stacks["py-stack"].packages["apt"] == (
        "python3", "python3-venv")


def _variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """The synthetic matrix with `old` replaced by `new`, next to its templates."""
    text = MINI_MATRIX.read_text()
    assert old in text, f"fixture text {old!r} not in {MINI_MATRIX}"
    path = tmp_path / "matrix.yaml"
    path.write_text(text.replace(old, new, count))
    for part in MINI_TEMPLATES:  # the templates it names, relative to its directory
        (tmp_path / part).symlink_to(MINI_DIR / part)
    return path


BAD_INPUTS = {
    # name: (old text, new text, expected fragment of the error line, text on the line it must name, or None)
    "yaml syntax": ("owner: example\n", "owner: [example\n", "valid YAML expected", None),
    "unknown top-level key": ("owner: example\n", "owner: example\nownr: x\n", "ownr: unknown key", "ownr: x"),
    "unknown nested key": ("    from: dash-py\n", "    from: dash-py\n    colour: blue\n",
                           "images.dash-all.colour: unknown key", "colour: blue"),
    "duplicate key": ('  release: "1.2.3"\n', '  release: "1.2.3"\n  release: "1.2.4"\n',
                      "versions.release: duplicate key", 'release: "1.2.4"'),
    "missing field": ("    frameworks: [widget]\n    description: widget dashboards",
                      "    description: widget dashboards",
                      "images.dash-py.frameworks: missing (required)", None),
    "unknown stack": ("    from: r-stack\n", "    from: r-stak\n",
                      "images.dash-py.from: one of the stacks or images expected", "from: r-stak"),
    "unknown framework": ("frameworks: [shiny]", "frameworks: [shiny, gradio]",
                          "images.dash-all.frameworks[1]: one of the frameworks expected", None),
    "cycle": ("    from: r-stack\n", "    from: dash-all\n",
              "images.dash-py.from: no cycle expected, found dash-py -> dash-all -> dash-py", "from: dash-all"),
    "own parent": ("    from: r-stack\n", "    from: dash-py\n",
                   "images.dash-py.from: no cycle expected, found dash-py -> dash-py", "from: dash-py"),
    "invalid tag": ('images: ["{release}"', 'images: ["v:{release}"', "a valid Docker tag expected", None),
    "unknown placeholder in tag": ('hub: ["{release}"', 'hub: ["{rel}"', "unknown placeholder {rel}", None),
    "package placeholder in the policy": ('hub: ["{release}", ', 'hub: ["{release}", "w-{python:widget}", ',
                                          "tags.hub[1]: unknown placeholder {python:widget}", None),
    "dynamic primary tag": ('images: ["{release}", ', 'images: ["d{build_date}", ',
                            "the primary (first) tag must use pinned versions only", None),
    "framework tag claiming a pinned version": (
        '["widget-{python:widget}"]', '["widget-{widget}"]',
        "frameworks.widget.tags[0]: unknown placeholder {widget}: a framework's tags read installed versions from "
        "the image, of the packages it installs ({python:widget}, {python:widget-extras})", "widget-{widget}"),
    "framework tag reading a package it does not install": (
        '["r-shiny-{r:shiny}"]', '["r-shiny-{r:shiny}", "{python:widget}"]',
        "frameworks.shiny.tags[1]: unknown placeholder {python:widget}: a framework's tags read installed versions "
        "from the image, of the packages it installs ({r:shiny})", None),
    "framework tag that is no Docker tag": ('["widget-{python:widget}"]', '["widget+{python:widget}"]',
                                            "frameworks.widget.tags[0]: a valid Docker tag expected", None),
    "version named like a package placeholder": ('  release: "1.2.3"\n', '  release: "1.2.3"\n  r:shiny: "1"\n',
                                                 "versions.r:shiny: {r:shiny} reads an installed package's version",
                                                 'r:shiny: "1"'),
    "wrong type": ("owner: example\n", "owner: [a, b]\n", "owner: a non-empty string expected, got a list", None),
    "framework needs what the stack lacks": ("    from: r-stack\n", "    from: py-stack\n",
                                             "shiny requires r, which stack py-stack does not provide", None),
    "a line's version also common": ('  release: "1.2.3"\n', '  release: "1.2.3"\n  jupyterhub: "5.0.0"\n',
                                     "versions.jupyterhub: no jupyterhub expected: each of `lines` sets it",
                                     'jupyterhub: "5.0.0"'),
    "misnamed layer template": ("    template: shiny.j2\n", "    template: shinny.j2\n",
                                "frameworks.shiny.template: an existing file expected, shinny.j2 does not exist",
                                "template: shinny.j2"),
    "unknown platform": ("platforms: [linux/amd64, linux/arm64]\n", "platforms: [linux/amd64, linux/s390x]\n",
                         "platforms[1]: one of linux/amd64, linux/arm64 expected, got 'linux/s390x'", "platforms:"),
    "platform listed twice": ("platforms: [linux/amd64, linux/arm64]\n", "platforms: [linux/arm64, linux/arm64]\n",
                              "platforms[1]: 'linux/arm64' is listed twice", "platforms:"),
    "stack template without Dockerfile.j2": ("    template: stack\n", "    template: stacks\n",
                                             "stacks.py-stack.template: a directory holding Dockerfile.j2 "
                                             "expected, stacks/Dockerfile.j2 does not exist",
                                             "template: stacks"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_matrix_gives_one_located_line_and_exit_2(tmp_path: Path, case: str) -> None:
    old, new, fragment, line_text = BAD_INPUTS[case]
    path = _variant(tmp_path, old, new)
    result = _run_cli(tmp_path, "--matrix", str(path), "--stacks", "local", "build", "all")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {path}:"), errors[0]  # file and line
    assert fragment in errors[0]
    if line_text is not None:
        line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if line_text in text)
        assert errors[0].startswith(f"error: {path}:{line}: ")
    assert not (tmp_path / "build").exists(), "nothing may be rendered or built from a bad matrix"


def test_each_cycle_is_reported_once(tmp_path: Path) -> None:
    path = _variant(tmp_path, "    parent: mini-root\n", "    parent: r-stack\n")
    path.write_text(path.read_text().replace("    from: r-stack\n", "    from: dash-all\n"))
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "stacks.py-stack.parent: no cycle expected, found py-stack -> r-stack -> py-stack",
        "images.dash-py.from: no cycle expected, found dash-py -> dash-all -> dash-py",
    ]


@pytest.mark.parametrize(("content", "fragment"), [
    ("", "the document is empty"),
    ("- a\n- b\n", "a mapping at the top level expected, got list"),
])
def test_empty_or_non_mapping_matrix_is_refused(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "matrix.yaml"
    path.write_text(content)
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    assert len(caught.value.problems) == 1
    assert fragment in str(caught.value)


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    path = _variant(tmp_path, "owner: example\n", "owner: Example\nextra: 1\n")
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    keys = {p.key for p in caught.value.problems}
    assert {"owner", "extra"} <= keys


def test_missing_matrix_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--matrix", str(tmp_path / "nope.yaml"), "list")
    assert result.returncode == 2
    assert "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--matrix", str(MINI_MATRIX), "--stacks", "local", "plan", "no-such-image")
    assert result.returncode == 2
    assert "unknown target no-such-image" in result.stderr


def _run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buildtool", *args], cwd=cwd, capture_output=True, text=True,
        env={"PYTHONPATH": str(PROJECT_DIR), "PATH": "/usr/bin:/bin"}, timeout=60,
    )
