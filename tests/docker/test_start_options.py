"""start.sh's documented start-up options (Jupyter Docker Stacks, "Common Features"), on every image.

Each test starts the image the way that documentation shows (`docker run -u root -e NB_USER=...`, `--user 1010`,
...) and checks what a user of the upstream images would rely on, the log lines they grep for included.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.docker.containers import TrackedContainer

APPLIES_TO = "foundation"
ENVIRONMENT_PYTHON = "/opt/conda/bin/python3"


def _lines(output: str) -> list[str]:
    return output.strip().splitlines()


def _warnings(output: str) -> list[str]:
    return [line for line in _lines(output) if line.startswith("WARNING:")]


def test_renaming_the_user_keeps_a_mounted_volume_where_it_is(container: TrackedContainer, tmp_path: Path) -> None:
    """`-u root -e NB_USER=user -e CHOWN_HOME=yes -v DIR:/home/jovyan/data`: the files stay on the host, with
    their owner, and are reachable from the new home."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "precious.txt").write_text("keep me\n")
    before = os.stat(data / "precious.txt")
    output = container.check(
        ["bash", "-c", "id -un; echo $HOME; pwd; cat /home/user/data/precious.txt"], user="root",
        environment={"NB_USER": "user", "CHOWN_HOME": "yes", "NB_UID": "1010"},
        volumes={str(data): {"bind": "/home/jovyan/data", "mode": "rw"}}, working_dir="/home/jovyan/data",
    )
    assert _lines(output)[-4:] == ["user", "/home/user", "/home/user/data", "keep me"]
    assert sorted(p.name for p in data.iterdir()) == ["precious.txt"]
    after = os.stat(data / "precious.txt")
    assert (after.st_uid, after.st_gid, after.st_ino) == (before.st_uid, before.st_gid, before.st_ino)


def test_the_environment_comes_first_in_every_kind_of_shell(container: TrackedContainer) -> None:
    """Login shells (JupyterLab's terminals under a spawner), non-login shells, sudo and su -."""
    probe = "command -v python3"
    shells = {
        "login": (["bash", "-lc", probe], {}),
        "non-login": (["bash", "-c", probe], {}),
        "sudo": (["sudo", "bash", "-c", probe], {"user": "root", "environment": {"GRANT_SUDO": "yes"}}),
        "sudo -i": (["sudo", "-i", "bash", "-c", probe], {"user": "root", "environment": {"GRANT_SUDO": "yes"}}),
        "su -": (["su", "-", "jovyan", "-c", probe], {"user": "root", "entrypoint": []}),
    }
    for name, (command, options) in shells.items():
        assert _lines(container.check(command, **options))[-1] == ENVIRONMENT_PYTHON, name


def test_a_command_run_as_root_is_found_on_the_environments_path(container: TrackedContainer) -> None:
    """`docker run -u root IMAGE python`: sudo's secure_path must hold the environment."""
    output = container.check(["python", "-c", "import sys; print(sys.prefix)"], user="root")
    assert _lines(output)[-1] == "/opt/conda"


def test_grant_sudo_runs_the_environments_tools_as_root(container: TrackedContainer) -> None:
    output = container.check(["sudo", "python", "-c", "import os, sys; print(os.getuid(), sys.prefix)"],
                             user="root", environment={"GRANT_SUDO": "yes"})
    assert _lines(output)[-1] == "0 /opt/conda"


def test_a_failing_hook_is_reported_and_the_start_goes_on(container: TrackedContainer, tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "10-fail.sh").write_text("false\n")
    failing = hooks / "20-fail"
    failing.write_text("#!/bin/bash\nexit 3\n")
    failing.chmod(0o755)
    (hooks / "30-after.sh").write_text("export AFTER=ran\n")
    for directory in ("/usr/local/bin/before-notebook.d", "/usr/local/bin/start-notebook.d"):
        status, output = container.run(["bash", "-c", "echo command-ran after=$AFTER"],
                                       volumes={str(hooks): {"bind": directory, "mode": "ro"}})
        assert status == 0, output
        assert "command-ran after=ran" in output
        for hook in ("10-fail.sh", "20-fail"):
            assert f"ERROR: {directory}/{hook} has failed, continuing execution" in output
        assert f"Running hooks in: {directory} as uid: 1000 gid: 100" in output
        assert f"Sourcing shell script: {directory}/10-fail.sh" in output
        assert f"Running executable: {directory}/20-fail" in output


def test_an_arbitrary_uid_gets_a_name_and_a_warning_about_its_home(container: TrackedContainer) -> None:
    """`--user 1010` (group root): named jovyan, told how to get a writable home."""
    status, output, log = container.streams(["bash", "-c", "whoami; id -u; echo $HOME"], user="1010")
    assert status == 0, log
    assert _lines(output) == ["jovyan", "1010", "/home/jovyan"]
    warnings = _warnings(log)
    assert len(warnings) == 1 and "--group-add=users" in warnings[0], warnings


def test_an_arbitrary_uid_in_group_users_has_a_writable_home(container: TrackedContainer) -> None:
    status, output, log = container.streams(["bash", "-c", "whoami && touch ~/written && echo ok"], user="1010",
                                            group_add=["100"])
    assert status == 0, log
    assert _lines(output) == ["jovyan", "ok"]
    assert _warnings(log) == []


def test_an_arbitrary_uid_takes_nb_user_as_its_name(container: TrackedContainer) -> None:
    status, output, log = container.streams(["whoami"], user="1010", group_add=["100"],
                                            environment={"NB_USER": "kitten"})
    assert status == 0, log
    assert _lines(output) == ["kitten"]
    warnings = _warnings(log)
    assert len(warnings) == 1 and "user is kitten but home is /home/jovyan" in warnings[0], warnings


def test_listed_variables_are_unset_before_the_command(container: TrackedContainer) -> None:
    secrets = {"API_TOKEN": "s3cret", "DB_PASSWORD": "hunter2", "KEPT": "visible"}
    for options in ({}, {"user": "root"}):
        output = container.check(["env"], environment={**secrets, "JUPYTER_ENV_VARS_TO_UNSET": "API_TOKEN,DB_PASSWORD"},
                                 **options)
        assert "s3cret" not in output and "hunter2" not in output
        assert "KEPT=visible" in output and "JUPYTER_ENV_VARS_TO_UNSET" not in output


def test_the_root_triplet_runs_as_root_with_home_in_home(container: TrackedContainer) -> None:
    """NB_USER=root NB_UID=0 NB_GID=0: root itself, HOME=/home/root, and no sudo in between."""
    output = container.check(["bash", "-c", "id; echo HOME=$HOME; getent passwd root; env | grep -c ^SUDO_ || true"],
                             user="root", environment={"NB_USER": "root", "NB_UID": "0", "NB_GID": "0"})
    identity, home, passwd, sudo_variables = _lines(output)[-4:]
    assert identity.startswith("uid=0(root) gid=0(root)")
    assert home == "HOME=/home/root"
    assert passwd == "root:x:0:0:root:/home/root:/bin/bash"
    assert sudo_variables == "0"


def test_start_sh_named_again_in_the_command_runs_once(container: TrackedContainer) -> None:
    status, output = container.run(["start.sh", "echo", "once"], user="root")
    assert status == 0, output
    assert output.count("Running hooks in: /usr/local/bin/start-notebook.d") == 1
    assert "WARNING: start.sh is the default ENTRYPOINT, do not include it in CMD" in output


def test_log_lines_go_to_stderr_and_can_be_quieted(container: TrackedContainer) -> None:
    status, stdout, stderr = container.streams(["echo", "stdout"], user="root")
    assert status == 0 and stdout.strip() == "stdout"
    assert "Entered start.sh with args: echo stdout" in stderr and "Running as jovyan: echo stdout" in stderr
    status, quiet, quiet_stderr = container.streams(["echo", "quiet"], environment={"JUPYTER_DOCKER_STACKS_QUIET": "1"})
    assert status == 0 and quiet.strip() == "quiet" and quiet_stderr.strip() == ""


def test_the_rename_and_hook_errors_say_what_jupyter_docker_stacks_say(container: TrackedContainer,
                                                                        tmp_path: Path) -> None:
    """Jupyter Docker Stacks' own tests read these lines: the rename's, and run-hooks.sh's three refusals."""
    _, renamed = container.run(["true"], user="root", environment={"NB_USER": "kitten"})
    assert "Updated the jovyan user:" in renamed
    assert "- username: jovyan       -> kitten" in renamed and "- home dir: /home/jovyan -> /home/kitten" in renamed
    (tmp_path / "a-file").write_text("")
    checks = {"": "Should pass exactly one directory", "/no/such/dir": "Directory /no/such/dir doesn't exist",
              "/hooks/a-file": "Directory /hooks/a-file doesn't exist or is not a directory",
              "/tmp /tmp": "Should pass exactly one directory"}
    for arguments, message in checks.items():
        status, output = container.run(["bash", "-c", f"source /usr/local/bin/run-hooks.sh {arguments}"],
                                       volumes={str(tmp_path): {"bind": "/hooks", "mode": "ro"}})
        assert status != 0 and message in output, f"run-hooks.sh {arguments!r}: {status}\n{output}"
