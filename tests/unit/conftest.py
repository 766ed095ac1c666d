"""Fixtures of the unit tests: the synthetic matrix (`mini_matrix`) and the project's own (`live_matrix`)."""

from __future__ import annotations

import pytest

from buildtool.matrix import Matrix, load_matrix
from tests.unit.matrices import LIVE_MATRIX, MINI_MATRIX


@pytest.fixture(scope="session")
def mini_matrix() -> Matrix:
    """tests/fixtures/mini/matrix.yaml on its default line: what tests of the tool's behaviour run on."""
    return load_matrix(MINI_MATRIX)


@pytest.fixture(scope="session")
def live_matrix() -> Matrix:
    """The project's matrix.yaml on its default line: only for tests of that file and what is generated from it."""
    return load_matrix(LIVE_MATRIX)
