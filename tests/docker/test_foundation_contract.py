"""The Jupyter Docker Stacks foundation contract, on the foundation and every image built on it."""

from __future__ import annotations

from pathlib import Path

import docker
import testinfra

from tests.docker.containers import TrackedContainer

APPLIES_TO = "foundation"

CONTRACT_ENV = {
    "NB_USER": "jovyan",
    "NB_UID": "1000",
    "NB_GID": "100",
    "CONDA_DIR": "/opt/conda",
    "HOME": "/home/jovyan",
    "SHELL": "/bin/bash",
}


def test_image_config_runs_start_sh_under_tini_as_the_notebook_user(
    docker_client: docker.DockerClient, image: str
) -> None:
    config = docker_client.images.get(image).attrs["Config"]
    assert config["Entrypoint"] == ["tini", "-g", "--", "start.sh"]
    assert config["User"] in ("1000", "jovyan", "${NB_UID}")
    assert config["WorkingDir"] == "/home/jovyan"
    assert config["Labels"]["org.opencontainers.image.source"].startswith("https://")


def test_default_user_is_jovyan_1000_in_group_users_100(container: TrackedContainer) -> None:
    assert container.check(["id"]).strip().startswith("uid=1000(jovyan) gid=100(users)")


def test_contract_environment(container: TrackedContainer) -> None:
    output = container.check(["env"])
    env = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    for key, value in CONTRACT_ENV.items():
        assert env.get(key) == value, key
    assert env["PATH"].split(":")[0] == "/opt/conda/bin"
    assert env.get("LANG", "").lower().replace("-", "") in ("c.utf8", "en_us.utf8")


def test_scripts_and_python_are_on_path(container: TrackedContainer) -> None:
    output = container.check(["bash", "-c", "command -v start.sh run-hooks.sh fix-permissions tini python pip"])
    assert output.split() == [
        "/usr/local/bin/start.sh", "/usr/local/bin/run-hooks.sh", "/usr/local/bin/fix-permissions",
        output.split()[3], "/opt/conda/bin/python", "/opt/conda/bin/pip",
    ]


def test_files_and_permissions(container: TrackedContainer) -> None:
    running = container.start(["sleep", "infinity"])
    host = testinfra.get_host(f"docker://{running.id}")
    for hooks in ("/usr/local/bin/start-notebook.d", "/usr/local/bin/before-notebook.d"):
        assert host.file(hooks).is_directory
    conda = host.file("/opt/conda")
    assert conda.group == "users" and conda.mode & 0o020, "CONDA_DIR must be writable by group users"
    home = host.file("/home/jovyan")
    assert (home.user, home.group) == ("jovyan", "users")
    assert host.user("jovyan").uid == 1000 and host.user("jovyan").gid == 100


def _hooks(tmp_path: Path) -> Path:
    """A start-notebook.d with a sourced hook (exports a variable) and an executable hook (writes a file)."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "10-export.sh").write_text("export HOOK_VALUE=from-sourced-hook\n")
    run = hooks / "20-run"
    run.write_text("#!/bin/bash\necho \"executable hook ran as $(id -u)\"\n")
    run.chmod(0o755)
    (hooks / "30-ignored.txt").write_text("neither executable nor *.sh\n")
    hooks.chmod(0o755)
    return hooks


def test_start_sh_as_user_runs_hooks_then_execs_the_command(container: TrackedContainer, tmp_path: Path) -> None:
    volumes = {str(_hooks(tmp_path)): {"bind": "/usr/local/bin/start-notebook.d", "mode": "ro"}}
    status, output = container.run(
        ["bash", "-c", 'echo "value=$HOOK_VALUE uid=$(id -u) parent=$(cat /proc/$PPID/comm)"'], volumes=volumes
    )
    assert status == 0, output
    assert "executable hook ran as 1000" in output
    assert "Ignoring non-executable: /usr/local/bin/start-notebook.d/30-ignored.txt" in output
    # start.sh exec'd bash: bash's parent is tini, not a lingering start.sh.
    assert "value=from-sourced-hook uid=1000 parent=tini" in output


def test_start_sh_as_root_drops_to_the_notebook_user(container: TrackedContainer) -> None:
    output = container.check(["bash", "-c", "id -u; echo $HOME; echo $PATH"], user="root")
    uid, home, path = output.strip().splitlines()[-3:]
    assert (uid, home) == ("1000", "/home/jovyan")
    assert path.startswith("/opt/conda/bin:")


def test_start_sh_as_root_honours_nb_uid_and_nb_gid(container: TrackedContainer) -> None:
    output = container.check(["id"], user="root", environment={"NB_UID": "1010", "NB_GID": "1020"})
    last = output.strip().splitlines()[-1]
    assert last.startswith("uid=1010(jovyan) gid=1020")
    assert "100(users)" in last


def test_start_sh_as_root_renames_the_user(container: TrackedContainer) -> None:
    output = container.check(["bash", "-c", "id -un; echo $HOME; pwd"], user="root", environment={"NB_USER": "alice"})
    assert output.strip().splitlines()[-3:] == ["alice", "/home/alice", "/home/alice"]


def test_chown_home_and_chown_extra(container: TrackedContainer) -> None:
    output = container.check(
        ["stat", "-c", "%u:%g", "/home/jovyan", "/usr/local/bin/before-notebook.d"],
        user="root",
        environment={"NB_UID": "1010", "NB_GID": "1020", "CHOWN_HOME": "yes",
                     "CHOWN_EXTRA": "/usr/local/bin/before-notebook.d"},
    )
    assert output.strip().splitlines()[-2:] == ["1010:1020", "1010:1020"]


def test_grant_sudo_gives_passwordless_sudo_and_only_then(container: TrackedContainer) -> None:
    granted = container.check(["sudo", "-n", "id", "-u"], user="root", environment={"GRANT_SUDO": "yes"})
    assert granted.strip().splitlines()[-1] == "0"
    status, _ = container.run(["sudo", "-n", "true"], user="root")
    assert status != 0


def test_fix_permissions_makes_paths_group_writable(container: TrackedContainer) -> None:
    script = "mkdir -p /opt/conda/x && touch /opt/conda/x/f && chmod 600 /opt/conda/x/f && " \
             "fix-permissions /opt/conda/x && stat -c '%G %A' /opt/conda/x/f /opt/conda/x"
    output = container.check(["bash", "-c", script], user="root", entrypoint=[])
    file_line, dir_line = output.strip().splitlines()[-2:]
    assert file_line == "users -rw-rw----"
    assert dir_line.startswith("users drwxrwsr")
