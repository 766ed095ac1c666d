"""Platforms: the matrix names those it publishes, `--platform` picks some (this machine's by default); a foreign
platform's images carry docker-stacks' prefixed tags here and their own build directory, and need emulation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from buildtool import emulation, platforms
from buildtool.bootstrap import root_fingerprint
from buildtool.buildinfo import BuildInfo
from buildtool.errors import UsageError
from buildtool.graph import build_graph
from buildtool.layout import BuildDir
from buildtool.matrix import load_matrix
from buildtool.render import render_all
from buildtool.tags import all_refs, primary_ref
from tests.unit.matrices import MINI_MATRIX, PROJECT_DIR

INFO = BuildInfo(git_sha="0123456789ab", build_date="2026-12-05")
NATIVE = platforms.native()
FOREIGN = next(name for name in platforms.KNOWN if name != NATIVE)


def test_the_matrix_names_its_platforms_and_loads_for_this_machines_by_default() -> None:
    matrix = load_matrix(MINI_MATRIX)
    assert matrix.platforms == ("linux/amd64", "linux/arm64")
    assert matrix.platform == NATIVE and not matrix.foreign_platform
    other = load_matrix(MINI_MATRIX, platform=FOREIGN)
    assert other.platform == FOREIGN and other.foreign_platform


def test_without_platforms_a_matrix_publishes_this_machines_alone(tmp_path: Path) -> None:
    text = MINI_MATRIX.read_text().replace("platforms: [linux/amd64, linux/arm64]\n", "")
    (tmp_path / "matrix.yaml").write_text(text)
    for directory in ("stack", "layers", "hub"):
        (tmp_path / directory).symlink_to(MINI_MATRIX.parent / directory)
    assert load_matrix(tmp_path / "matrix.yaml").platforms == (NATIVE,)
    with pytest.raises(UsageError, match=f"{FOREIGN} is not in .*'s platforms"):
        load_matrix(tmp_path / "matrix.yaml", platform=FOREIGN)


def test_a_foreign_platforms_images_have_prefixed_tags_and_parents_and_their_own_build_dir(tmp_path: Path) -> None:
    native = build_graph(load_matrix(MINI_MATRIX), "local")
    foreign = build_graph(load_matrix(MINI_MATRIX, platform=FOREIGN), "local")
    prefix = platforms.tag_prefix(FOREIGN)
    for name, target in native.targets.items():
        mine = set(all_refs(native, target, INFO))
        theirs = set(all_refs(foreign, foreign.targets[name], INFO))
        assert theirs == {ref.replace(":", f":{prefix}", 1) for ref in mine}
        assert primary_ref(foreign.matrix, foreign.targets[name]) == primary_ref(native.matrix, target).replace(
            ":", f":{prefix}", 1)
    rendered = render_all(foreign, foreign.select(["all"]), tmp_path / "contexts")
    assert f"FROM example/py-stack:{prefix}hub-6.0.0\n" in (rendered["r-stack"].context / "Dockerfile").read_text()
    mine = render_all(native, native.select(["all"]), tmp_path / "native")
    assert all(rendered[name].fingerprint != mine[name].fingerprint for name in rendered), "one image, two platforms"
    machine = platforms.KNOWN[FOREIGN].machine
    assert BuildDir(tmp_path).for_line(foreign.matrix).root == tmp_path / "platforms" / machine
    assert BuildDir(tmp_path).for_line(native.matrix).root == tmp_path
    other_line = load_matrix(MINI_MATRIX, "5.0.0", FOREIGN)
    assert BuildDir(tmp_path).for_line(other_line).root == tmp_path / "lines" / "5.0.0" / "platforms" / machine
    root = native.matrix.root
    assert root_fingerprint(root) == "debootstrap/1/bookworm/minbase"  # the native root is not rebuilt
    assert root_fingerprint(root, FOREIGN) == f"debootstrap/1/bookworm/minbase/{platforms.KNOWN[FOREIGN].debian}"


def test_push_can_tag_any_platform_with_its_own_prefix() -> None:
    graph = build_graph(load_matrix(MINI_MATRIX), "local")
    target = graph.targets["dash-py"]
    prefixed = all_refs(graph, target, INFO, prefix=platforms.tag_prefix(NATIVE))
    assert prefixed and all(ref.split(":", 1)[1].startswith(platforms.tag_prefix(NATIVE)) for ref in prefixed)
    assert all_refs(graph, target, INFO, prefix="") == all_refs(graph, target, INFO)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "buildtool", "--matrix", str(MINI_MATRIX), "--stacks", "local",
                           *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_platform_option_lists_each_platform_native_first_and_refuses_unknown_ones() -> None:
    result = _cli("--platform", "all", "list")
    assert result.returncode == 0, result.stderr
    headings = [line for line in result.stdout.splitlines() if line.startswith("JupyterHub")]
    assert headings == [f"JupyterHub 6.0.0, {NATIVE}:", f"JupyterHub 6.0.0, {FOREIGN}:"]
    refused = _cli("--platform", "linux/s390x", "list")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert [line for line in refused.stderr.splitlines() if line.startswith("error: ")] == [
        "error: --platform linux/s390x: comma-separated platforms (linux/amd64, linux/arm64) or all expected"]


def _binfmt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str | None) -> emulation.Handler:
    monkeypatch.setattr(emulation, "BINFMT", tmp_path)
    handler = emulation.HANDLERS[FOREIGN]
    if entry is not None:
        (tmp_path / handler.name).write_text(entry)
    return handler


def test_emulation_is_ready_only_when_registered_enabled_with_flag_f(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    handler = _binfmt(tmp_path, monkeypatch, "enabled\ninterpreter /usr/bin/x\nflags: F\noffset 0\n")
    assert emulation.ready(handler)
    assert emulation.ensure(FOREIGN).endswith("(registered)")
    (tmp_path / handler.name).write_text("enabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: PF\n")
    assert emulation.ready(handler)  # P and F: F is what containers need
    (tmp_path / handler.name).write_text("enabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: P\n")
    assert not emulation.ready(handler)
    (tmp_path / handler.name).write_text("disabled\nflags: F\n")
    assert not emulation.ready(handler)


def test_emulation_says_in_one_line_why_it_cannot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = _binfmt(tmp_path, monkeypatch, None)
    monkeypatch.setattr(emulation, "HANDLERS", {FOREIGN: emulation.Handler(
        handler.name, str(tmp_path / "no-such-qemu"), handler.magic, handler.mask)})
    with pytest.raises(emulation.EmulationUnavailable, match="scripts/setup --emulation installs qemu-user-static"):
        emulation.ensure(FOREIGN)
    (tmp_path / "qemu").write_text("")
    monkeypatch.setattr(emulation, "HANDLERS", {FOREIGN: emulation.Handler(
        handler.name, str(tmp_path / "qemu"), handler.magic, handler.mask)})
    monkeypatch.setattr(emulation.os, "geteuid", lambda: 1000)
    with pytest.raises(emulation.EmulationUnavailable, match="takes root: run scripts/setup --emulation as root"):
        emulation.ensure(FOREIGN)
    with pytest.raises(emulation.EmulationUnavailable, match="no emulation of linux/s390x"):
        emulation.ensure("linux/s390x")


def test_emulation_registers_with_flag_f_replacing_a_registration_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = _binfmt(tmp_path, monkeypatch, "enabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: P\n")
    (tmp_path / "register").write_text("")
    (tmp_path / "qemu").write_text("")
    monkeypatch.setattr(emulation, "HANDLERS", {FOREIGN: emulation.Handler(
        handler.name, str(tmp_path / "qemu"), handler.magic, handler.mask)})
    monkeypatch.setattr(emulation.os, "geteuid", lambda: 0)
    said = emulation.ensure(FOREIGN)
    assert "flag F" in said
    assert (tmp_path / handler.name).read_text() == "-1"  # the old one removed (the kernel's way)
    line = (tmp_path / "register").read_text()
    assert line == f":{handler.name}:M::{handler.magic}:{handler.mask}:{tmp_path / 'qemu'}:F"
