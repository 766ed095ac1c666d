"""How many targets `build` makes at once: from the machine unless -j or BUILDTOOL_JOBS says otherwise."""

from __future__ import annotations

import pytest

from buildtool import cli, machine
from buildtool.errors import UsageError
from buildtool.graph import Graph
from buildtool.machine import Machine, choose_jobs, default_jobs
from buildtool.results import Result
from tests.unit.matrices import MINI_MATRIX


@pytest.mark.parametrize(("cores", "memory_gib", "jobs"), [
    (2, 23, 2),  # the project's machines
    (16, 64, 16),
    (16, 15, 3),  # memory-bound: 4 GiB a job
    (1, 64, 1),  # core-bound
    (8, 3, 1),  # at least one, however small
])
def test_default_jobs_is_one_per_core_and_per_4_gib(cores: int, memory_gib: int, jobs: int) -> None:
    assert default_jobs(Machine(cores, memory_gib)) == jobs


def test_the_option_comes_first_then_the_environment_then_the_machine() -> None:
    small = Machine(2, 23)
    assert choose_jobs(5, {"BUILDTOOL_JOBS": "3"}, small) == machine.Jobs(5, "-j 5")
    assert choose_jobs(None, {"BUILDTOOL_JOBS": "3"}, small) == machine.Jobs(3, "BUILDTOOL_JOBS=3")
    assert choose_jobs(None, {"BUILDTOOL_JOBS": ""}, small) == machine.Jobs(2, "2 cores, 23 GiB")
    assert choose_jobs(None, {}, Machine(1, 8)) == machine.Jobs(1, "1 core, 8 GiB")


@pytest.mark.parametrize(("requested", "environ", "message"), [
    (0, {}, "-j 0: at least 1 expected"),
    (None, {"BUILDTOOL_JOBS": "0"}, "BUILDTOOL_JOBS=0: at least 1 expected"),
    (None, {"BUILDTOOL_JOBS": "many"}, "BUILDTOOL_JOBS=many: a whole number of at least 1 expected"),
    (None, {"BUILDTOOL_JOBS": "-2"}, "BUILDTOOL_JOBS=-2: a whole number of at least 1 expected"),
])
def test_a_count_below_one_is_bad_input(requested: int | None, environ: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=f"^{message}$"):
        choose_jobs(requested, environ, Machine(2, 23))


def test_this_machine_is_detected() -> None:
    found = Machine.detect()
    assert found.cores >= 1 and found.memory_gib >= 0


def test_build_says_the_count_once_and_builds_every_line_with_it(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`build` without -j on a 2-core, 23 GiB machine: the builds themselves are stood in for."""
    calls: list[tuple[str, int]] = []

    def run_build(graph: Graph, targets: list, options: object, jobs: int = 1) -> list[Result]:
        calls.append((graph.matrix.line, jobs))
        return [Result(t.name, "up to date", 0.0, None) for t in targets]

    monkeypatch.setattr(cli, "run_build", run_build)
    monkeypatch.setattr(Machine, "detect", classmethod(lambda cls: cls(2, 23)))
    monkeypatch.delenv("BUILDTOOL_JOBS", raising=False)
    assert cli.main(["--matrix", str(MINI_MATRIX), "--stacks", "local", "--line", "all", "build"]) == 0
    assert calls == [("6.0.0", 2), ("5.0.0", 2)]
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("jobs:")]
    assert said == ["jobs: 2 (2 cores, 23 GiB)"]


def test_a_bad_count_exits_2_before_anything_is_built(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--matrix", str(MINI_MATRIX), "--stacks", "local", "build", "-j", "0"]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: -j 0: at least 1 expected"]
