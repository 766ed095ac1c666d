"""The matrix model: the real matrix loads into the expected shape; every kind of bad input is reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from buildtool.errors import MatrixError
from buildtool.matrix import Matrix, load_matrix
from tests.conftest import MATRIX_PATH, PROJECT_DIR

SEED_IMAGES = {
    "containds-all-basic", "containds-all-scipy", "containds-rshiny", "containds-allr-datascience",
    "jh-voila-oauth-singleuser", "jh-voila-oauth-scipy", "jh-voila-oauth-r", "jh-voila-oauth-datascience",
}


def test_real_matrix_has_the_eight_seed_images_and_the_hub(matrix: Matrix) -> None:
    assert set(matrix.images) == SEED_IMAGES
    assert matrix.hub.name == "containds-hub"


def test_versions_are_substituted_into_package_specs(matrix: Matrix) -> None:
    hub_pins = matrix.frameworks["singleuser"].packages["pip"]
    assert f"jupyterhub=={matrix.versions['jupyterhub']}" in hub_pins
    assert not any("{" in spec for fw in matrix.frameworks.values() for specs in fw.packages.values() for spec in specs)


def test_yaml_anchor_shares_the_r_packages_between_stacks(matrix: Matrix) -> None:
    assert matrix.stacks["datascience-notebook"].packages["apt"] == matrix.stacks["r-notebook"].packages["apt"]


def _variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = MATRIX_PATH.read_text()
    assert old in text, f"fixture text {old!r} not in matrix.yaml"
    path = tmp_path / "matrix.yaml"
    path.write_text(text.replace(old, new, count))
    for part in ("images", "hub"):  # the templates it names, relative to its directory
        (tmp_path / part).symlink_to(MATRIX_PATH.parent / part)
    return path


BAD_INPUTS = {
    # name: (old text, new text, expected fragment of the error line, text on the line it must name, or None)
    "yaml syntax": ("owner: containds\n", "owner: [containds\n", "valid YAML expected", None),
    "unknown top-level key": ("owner: containds\n", "owner: containds\nownr: x\n", "ownr: unknown key", "ownr: x"),
    "unknown nested key": ("    from: base-notebook\n", "    from: base-notebook\n    colour: blue\n",
                           "images.jh-voila-oauth-singleuser.colour: unknown key", "colour: blue"),
    "duplicate key": ("  cdsdashboards: \"0.6.3\"\n", "  cdsdashboards: \"0.6.3\"\n  cdsdashboards: \"0.6.4\"\n",
                      "versions.cdsdashboards: duplicate key", 'cdsdashboards: "0.6.4"'),
    "missing field": ("    frameworks: [singleuser, voila]\n    description: Voila dashboards on a standard",
                      "    description: Voila dashboards on a standard",
                      "images.jh-voila-oauth-singleuser.frameworks: missing (required)", None),
    "unknown stack": ("    from: r-notebook\n", "    from: r-notebok\n",
                      "images.jh-voila-oauth-r.from: one of the stacks or images expected", "from: r-notebok"),
    "unknown framework": ("frameworks: [rshiny]", "frameworks: [rshiny, gradio]",
                          "images.containds-rshiny.frameworks[1]: one of the frameworks expected", None),
    "cycle": ("    from: jh-voila-oauth-scipy\n", "    from: containds-all-scipy\n", "no cycle expected", None),
    "invalid tag": ('images: ["{cdsdashboards}"', 'images: ["v:{cdsdashboards}"', "a valid Docker tag expected",
                    None),
    "unknown placeholder in tag": ('hub: ["{cdsdashboards}"', 'hub: ["{cds}"', "unknown placeholder {cds}", None),
    "dynamic primary tag": ('images: ["{cdsdashboards}", ', 'images: ["d{build_date}", ',
                            "the primary (first) tag must use pinned versions only", None),
    "wrong type": ("owner: containds\n", "owner: [a, b]\n", "owner: a non-empty string expected, got a list", None),
    "framework needs what the stack lacks": ("    from: jh-voila-oauth-r\n    frameworks: [rshiny]",
                                             "    from: jh-voila-oauth-singleuser\n    frameworks: [rshiny]",
                                             "rshiny requires r, which stack base-notebook does not provide", None),
    "a line's version also common": ('  cdsdashboards: "0.6.3"\n', '  cdsdashboards: "0.6.3"\n  jupyterhub: "5.5.4"\n',
                                     "versions.jupyterhub: no jupyterhub expected: each of `lines` sets it",
                                     'jupyterhub: "5.5.4"'),
    "misnamed layer template": ("    template: rshiny.j2\n", "    template: rshinny.j2\n",
                                "frameworks.rshiny.template: an existing file expected, rshinny.j2 does not exist",
                                "template: rshinny.j2"),
    "stack template without Dockerfile.j2": ("    template: images/scipy\n", "    template: images/scipi\n",
                                             "stacks.scipy-notebook.template: a directory holding Dockerfile.j2 "
                                             "expected, images/scipi/Dockerfile.j2 does not exist",
                                             "template: images/scipi"),
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
    path = _variant(tmp_path, "owner: containds\n", "owner: Containds\nextra: 1\n")
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
    result = _run_cli(tmp_path, "--matrix", str(MATRIX_PATH), "--stacks", "local", "plan", "no-such-image")
    assert result.returncode == 2
    assert "unknown target no-such-image" in result.stderr


def _run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buildtool", *args], cwd=cwd, capture_output=True, text=True,
        env={"PYTHONPATH": str(PROJECT_DIR), "PATH": "/usr/bin:/bin"}, timeout=60,
    )
