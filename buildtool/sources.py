"""Choose where the root and stacks come from: `--stacks local|upstream|auto`."""

from __future__ import annotations

from dataclasses import dataclass

from buildtool.matrix import Matrix

PROBE_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Choice:
    source: str
    reason: str


def choose_source(matrix: Matrix, requested: str) -> Choice:
    """`auto` picks upstream when its registry answers the registry API, local otherwise."""
    if requested != "auto":
        return Choice(requested, f"--stacks {requested}")
    registry = matrix.sources["upstream"].registry
    if registry is None:
        return Choice("local", "sources.upstream.registry is not set, so upstream cannot be probed")
    answered, detail = probe_registry(registry)
    if answered:
        return Choice("upstream", f"{registry} answered ({detail})")
    return Choice("local", f"{registry} did not answer ({detail})")


def probe_registry(registry: str) -> tuple[bool, str]:
    """Any HTTP answer from /v2/ (200, or 401 asking for a token) means the registry is reachable."""
    import requests  # here, not at the top: importing it costs more than a no-op build of local stacks

    try:
        response = requests.get(f"https://{registry}/v2/", timeout=PROBE_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return False, type(exc).__name__
    return response.status_code in (200, 401), f"HTTP {response.status_code}"
