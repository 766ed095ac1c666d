"""Errors meant for people: one printable line per problem, no traceback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_FAILURE = 1  # a build, test or push failed
EXIT_USAGE = 2  # bad input: the matrix, the command line, the environment


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as known."""

    file: str
    key: str
    expected: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.expected}" if self.key else f"{where}: {self.expected}"


class MatrixError(Exception):
    """The matrix is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A bad command line or environment (exit status 2)."""


class BuildToolError(Exception):
    """Something the tool tried failed for a reason worth one line (exit status 1)."""
