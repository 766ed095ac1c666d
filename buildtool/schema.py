"""Typed readers for the parsed matrix that collect problems instead of stopping at the first one."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from buildtool.errors import Problem
from buildtool.yamlsrc import LineMap

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TEMPLATE = "Dockerfile.j2"  # the file name of every target's template


class _Missing:
    """A required key that is absent: already reported by `mapping`, so readers return an empty value quietly."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Reader:
    """Reads values at dotted paths of one document, recording each problem with its line."""

    def __init__(self, file: str, lines: LineMap) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: str, expected: str) -> None:
        line = self.lines.get(path)
        if line is None and "." in path:  # a missing key: point at its parent mapping
            line = self.lines.get(path.rsplit(".", 1)[0])
        self.problems.append(Problem(self.file, path, expected, line))

    def mapping(
        self, value: Any, path: str, required: Collection[str] = (), optional: Collection[str] = ()
    ) -> dict[str, Any]:
        """A mapping with string keys; unknown keys and missing required keys are problems."""
        if value is MISSING:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"a mapping expected, got {_kind(value)}")
            return {}
        allowed = set(required) | set(optional)
        for key in value:
            if not isinstance(key, str):
                self.problem(f"{path}.{key}", "a string key expected")
            elif allowed and key not in allowed:
                self.problem(_join(path, key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in value:
                self.problem(_join(path, key), "missing (required)")
        return value

    def named_mappings(self, value: Any, path: str) -> dict[str, Any]:
        """A mapping of names to mappings, e.g. `images`; an empty one is a problem."""
        result = self.mapping(value, path)
        if isinstance(value, dict) and not value:  # (MISSING was reported by the parent mapping)
            self.problem(path, "at least one entry expected")
        return result

    def string(self, value: Any, path: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        if value is MISSING:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # tolerate `python: 3.11` written without quotes
        if not isinstance(value, str) or not value:
            self.problem(path, f"a non-empty string expected, got {_kind(value)}")
            return ""
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(path, f"{what or 'a value matching ' + pattern.pattern} expected, got {value!r}")
        return value

    def string_list(self, value: Any, path: str, allow_empty: bool = True) -> tuple[str, ...]:
        if value is MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"a list of strings expected, got {_kind(value)}")
            return ()
        if not value and not allow_empty:
            self.problem(path, "a non-empty list expected")
        items = tuple(self.string(item, f"{path}[{i}]") for i, item in enumerate(value))
        for i, item in enumerate(items):
            if item and item in items[:i]:
                self.problem(f"{path}[{i}]", f"{item!r} is listed twice")
        return items

    def template_dir(self, value: Any, path: str, base: Path) -> Path:
        """A directory under `base` holding a Dockerfile.j2 (the template of a kind of target)."""
        relative = self.string(value, path)
        directory = base / relative
        if relative and not (directory / TEMPLATE).is_file():
            self.problem(path, f"a directory holding {TEMPLATE} expected, {relative}/{TEMPLATE} does not exist")
        return directory

    def existing(self, value: Any, path: str, base: Path, kind: str) -> Path:
        """A file or directory (`kind`: "file" or "directory") under `base` that exists."""
        relative = self.string(value, path)
        found = base / relative
        if relative and not (found.is_file() if kind == "file" else found.is_dir()):
            self.problem(path, f"an existing {kind} expected, {relative} does not exist")
        return found

    def name_ref(self, value: Any, path: str, known: Mapping[str, object], what: str) -> str:
        name = self.string(value, path)
        if name and name not in known and known:
            self.problem(path, f"one of the {what} expected ({', '.join(sorted(known))}), got {name!r}")
        return name

    def substitute(self, template: Any, path: str, values: Mapping[str, str]) -> Any:
        """Fill `{name}` placeholders from `values`; an unknown name is a problem. Non-strings pass through."""
        if not isinstance(template, str):
            return template

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                self.problem(path, f"unknown placeholder {{{name}}} (known: {', '.join(sorted(values))})")
                return match.group(0)
            return values[name]

        return PLACEHOLDER.sub(fill, template)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
