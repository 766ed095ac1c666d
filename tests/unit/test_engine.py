"""Builder choice and CA bundle discovery, with stand-in docker CLIs (no engine needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtool.engine import choose_builder, find_ca_bundle
from buildtool.errors import BuildToolError, UsageError


def _fake_cli(directory: Path, name: str, version: str, buildx: bool) -> str:
    """A docker stand-in answering `version --format ...` and, if `buildx`, `buildx version`."""
    path = directory / name
    path.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = version ]; then echo {version}; exit 0; fi\n'
        f'if [ "$1" = buildx ]; then {"echo v0.17.1; exit 0" if buildx else "exit 1"}; fi\n'
        "exit 1\n"
    )
    path.chmod(0o755)
    return str(path)


def test_buildx_is_preferred_when_any_cli_has_it(tmp_path: Path) -> None:
    old = _fake_cli(tmp_path, "docker-20", "20.10.24", buildx=False)
    new = _fake_cli(tmp_path, "docker-28", "28.2.2", buildx=True)
    builder = choose_builder([old, new])
    assert (builder.kind, builder.cli) == ("buildx", new)
    assert builder.command()[:4] == [new, "buildx", "build", "--load"]


def test_an_old_cli_with_built_in_buildkit_is_the_fallback(tmp_path: Path) -> None:
    new = _fake_cli(tmp_path, "docker-28", "28.2.2", buildx=False)
    old = _fake_cli(tmp_path, "docker-20", "20.10.24", buildx=False)
    builder = choose_builder([new, old])
    assert (builder.kind, builder.cli) == ("builtin", old)
    assert builder.environment()["DOCKER_BUILDKIT"] == "1"
    assert "built-in BuildKit" in builder.describe()


def test_no_builder_is_an_error_naming_both_ways(tmp_path: Path) -> None:
    new = _fake_cli(tmp_path, "docker-28", "28.2.2", buildx=False)
    with pytest.raises(BuildToolError) as caught:
        choose_builder([new])
    message = str(caught.value)
    assert "buildx" in message and "built-in BuildKit" in message and new in message


def test_ca_bundle_comes_from_the_option_then_the_environment(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    for var in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(var, raising=False)
    assert find_ca_bundle(None) is None
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert find_ca_bundle(None) == bundle
    monkeypatch.setenv("PIP_CERT", str(tmp_path / "missing.pem"))  # a stale variable is skipped
    assert find_ca_bundle(None) == bundle
    with pytest.raises(UsageError):
        find_ca_bundle(tmp_path / "nope.pem")
