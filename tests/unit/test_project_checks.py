"""Checks of the project itself that need no Docker: types, collection without the network, quiet pipes."""

from __future__ import annotations

import subprocess
import sys

from tests.unit.matrices import MINI_MATRIX, PROJECT_DIR

# Collects the whole suite in-process with the registry probe of `--stacks auto` replaced by a failure.
COLLECT_OFFLINE = """
import sys
import pytest
import buildtool.sources

def no_network(registry):
    raise SystemExit(f"collection probed {registry}")

buildtool.sources.probe_registry = no_network
sys.exit(pytest.main(["--collect-only", "-q", "-m", "not docker", "-p", "no:cacheprovider", "tests"]))
"""


def test_buildtool_type_checks() -> None:
    """mypy as pyproject.toml's [tool.mypy] configures it (its `files`)."""
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_collecting_the_unit_tests_touches_no_network() -> None:
    result = subprocess.run([sys.executable, "-c", COLLECT_OFFLINE], cwd=PROJECT_DIR, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(PROJECT_DIR)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "collection probed" not in result.stdout + result.stderr
    assert " tests collected" in result.stdout or " selected" in result.stdout, result.stdout[-500:]


def test_a_command_whose_reader_goes_away_exits_quietly() -> None:
    """`list | head`: here `| true`, a reader that leaves before the first line, so the pipe is always closed."""
    result = subprocess.run(f"{sys.executable} -m buildtool --matrix {MINI_MATRIX} --stacks local list | true",
                            shell=True, cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.stderr.strip().splitlines() == ["stacks: local (--stacks local)"], result.stderr
