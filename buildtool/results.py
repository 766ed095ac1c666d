"""What a build of one target came to, and the summary table that ends every `build`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["built", "up to date", "failed", "blocked", "not started"]


@dataclass(frozen=True)
class Result:
    target: str
    status: Status
    seconds: float
    size: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("built", "up to date")


def format_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.2f} GB"


def summary_table(results: list[Result]) -> str:
    rows = [("target", "result", "time", "size")]
    rows += [(r.target, r.status, f"{r.seconds:.1f}s", format_size(r.size)) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
