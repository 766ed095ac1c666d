"""Load YAML into plain Python values, keeping each key's line number and refusing duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from buildtool.errors import MatrixError, Problem

LineMap = dict[str, int]


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Return the document and a map from dotted key path (e.g. `images.x.from`) to its 1-based line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError([Problem(str(path), "", f"cannot be read ({exc.strerror})")]) from None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when present
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MatrixError([Problem(str(path), "", f"valid YAML expected ({problem})", line)]) from None
    if node is None:
        return None, {}
    converter = _Converter(str(path))
    value = converter.convert(node, "")
    if converter.problems:
        raise MatrixError(converter.problems)
    return value, converter.lines


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: LineMap = {}
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: str) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, path)
                child = f"{path}.{key}" if path else str(key)
                if key in result:
                    first = self.lines.get(child)
                    self.problems.append(
                        Problem(self.file, child, f"duplicate key (first defined on line {first})",
                                key_node.start_mark.line + 1)
                    )
                    continue
                result[key] = self.convert(value_node, child)
                self.lines[child] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self._scalars.construct_object(node)
