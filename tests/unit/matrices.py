"""The matrices the unit tests read: a small synthetic one for the tool's behaviour, and the project's own.

The synthetic matrix (tests/fixtures/mini/matrix.yaml) is the tool's test bed: its names and versions may be
written in tests. The project's matrix.yaml changes with every JupyterHub line or image added: its tests (golden
Dockerfiles, committed bake file and workflow, invariants) derive what they check from it.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
LIVE_MATRIX = PROJECT_DIR / "matrix.yaml"
MINI_DIR = PROJECT_DIR / "tests" / "fixtures" / "mini"
MINI_MATRIX = MINI_DIR / "matrix.yaml"
MINI_TEMPLATES = ("stack", "layers", "hub")  # the directories its templates are in, next to it
