"""Fixtures shared by the unit and the Docker tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtool.matrix import Matrix, load_matrix

PROJECT_DIR = Path(__file__).resolve().parent.parent
MATRIX_PATH = PROJECT_DIR / "matrix.yaml"


@pytest.fixture(scope="session")
def matrix() -> Matrix:
    return load_matrix(MATRIX_PATH)
