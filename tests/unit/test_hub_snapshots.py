"""Snapshots of source servers (containds_hub.snapshots): what is taken from a container's diff, the tag, the
Dockerfile, and the build context's changes.tar, with a fake container in place of the engine."""

from __future__ import annotations

import base64
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import docker.errors
import pytest
import requests

from containds_hub.snapshots import (
    ADD_CHANGES,
    LABEL_PREFIX,
    MAX_RUN,
    MODE_DIR,
    STAT_HEADER,
    Changes,
    Snapshot,
    SnapshotError,
    build_context,
    changes_from_diff,
    dockerfile,
    labels,
    make_snapshot,
    remove_snapshots,
    snapshot_reference,
)

MODIFIED, ADDED, DELETED = 0, 1, 2
BASE = "sha256:" + "ab" * 32
CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")  # the engine's rule for a tag


def diff(*entries: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"Path": path, "Kind": kind} for path, kind in entries]


def no_directories(path: str) -> bool:
    return False


def test_only_top_most_added_paths_are_taken() -> None:
    changes = changes_from_diff(diff(
        ("/opt/conda/lib/python3.11/site-packages/foo", ADDED),
        ("/opt/conda/lib/python3.11/site-packages/foo/__init__.py", ADDED),
        ("/opt/conda/lib/python3.11/site-packages/foo/sub", ADDED),
        ("/opt/conda/lib/python3.11/site-packages/foo/sub/x.py", ADDED),
        ("/usr/local/bin/tool", ADDED),
        ("/srv", ADDED),
        ("/srv/app.py", ADDED),
    ), no_directories)
    assert changes.added == ("/opt/conda/lib/python3.11/site-packages/foo", "/srv", "/usr/local/bin/tool")
    assert changes.modified == changes.deleted == ()


def test_excluded_paths_are_never_taken() -> None:
    asked: list[str] = []

    def is_directory(path: str) -> bool:
        asked.append(path)
        return False

    changes = changes_from_diff(diff(
        ("/tmp/pip-build", ADDED), ("/tmp", MODIFIED), ("/var/tmp/x", ADDED), ("/run/user.pid", ADDED),
        ("/home/jovyan/.bashrc", MODIFIED), ("/home/other", ADDED), ("/etc/hosts", MODIFIED),
        ("/etc/hostname", MODIFIED), ("/etc/resolv.conf", MODIFIED), ("/root/.cache/pip", ADDED),
        ("/proc/1", ADDED), ("/dev/shm/x", ADDED), ("/tmpfile", ADDED),  # under no excluded path: taken
    ), is_directory)
    assert changes == Changes(added=("/tmpfile",), modified=(), deleted=())
    assert asked == []  # excluded paths are never asked about


def test_mount_points_are_excluded_and_split_the_added_directory_holding_them() -> None:
    """Docker made /srv for a volume at /srv/data: /srv is not taken whole (the volume would come with it)."""
    changes = changes_from_diff(diff(
        ("/srv", ADDED), ("/srv/data", ADDED), ("/srv/data/secret", ADDED), ("/srv/app", ADDED),
        ("/srv/app/main.py", ADDED), ("/etc/jupyter/config.py", MODIFIED),
    ), no_directories, mounts=["/srv/data/", "/etc/jupyter/config.py"])
    assert changes == Changes(added=("/srv/app",), modified=(), deleted=())


def test_modified_directories_are_dropped_and_only_modified_entries_are_asked_about() -> None:
    asked: list[str] = []
    directories = {"/opt/conda", "/opt/conda/lib", "/usr/local/bin"}

    def is_directory(path: str) -> bool:
        asked.append(path)
        return path in directories

    changes = changes_from_diff(diff(
        ("/opt/conda", MODIFIED), ("/opt/conda/lib", MODIFIED), ("/opt/conda/lib/libz.so", MODIFIED),
        ("/usr/local/bin", MODIFIED), ("/usr/local/bin/new", ADDED), ("/etc/passwd", MODIFIED),
    ), is_directory)
    assert changes.modified == ("/etc/passwd", "/opt/conda/lib/libz.so")
    assert changes.added == ("/usr/local/bin/new",)
    assert sorted(asked) == ["/etc/passwd", "/opt/conda", "/opt/conda/lib", "/opt/conda/lib/libz.so",
                             "/usr/local/bin"]


def test_deletions_are_collapsed_to_top_most_paths() -> None:
    changes = changes_from_diff(diff(
        ("/opt/conda/lib/python3.11/site-packages/old", DELETED),
        ("/opt/conda/lib/python3.11/site-packages/old/__init__.py", DELETED),
        ("/opt/conda/lib/python3.11/site-packages/old/deep/x", DELETED),
        ("/usr/bin/vim", DELETED), ("/tmp/gone", DELETED),
    ), no_directories)
    assert changes.deleted == ("/opt/conda/lib/python3.11/site-packages/old", "/usr/bin/vim")


def test_the_order_does_not_depend_on_the_diff() -> None:
    entries = diff(("/b", ADDED), ("/a", ADDED), ("/c/x", DELETED), ("/c/a", DELETED), ("/z", MODIFIED),
                   ("/y", MODIFIED))
    assert changes_from_diff(entries, no_directories) == changes_from_diff(entries[::-1], no_directories)
    assert changes_from_diff(entries, no_directories) == Changes(("/a", "/b"), ("/y", "/z"), ("/c/a", "/c/x"))


@pytest.mark.parametrize("urlname", ["sales", "x" * 300, "-leading", ".dot", "a--b", "ünï cödé", "", "---"])
def test_snapshot_references_have_valid_tags(urlname: str) -> None:
    reference = snapshot_reference("containds-snapshots", urlname, 12345, CREATED)
    repository, tag = reference.rsplit(":", 1)
    assert repository == "containds-snapshots"
    assert TAG.fullmatch(tag) and len(tag) <= 128, tag
    assert tag.endswith("-12345-20240506-070809")


def test_snapshot_reference_keeps_a_plain_urlname() -> None:
    assert snapshot_reference("registry:5000/snaps", "sales-2", 7, CREATED) == \
        "registry:5000/snaps:sales-2-7-20240506-070809"
    long = snapshot_reference("r", "x" * 300, 7, CREATED)
    assert len(long.split(":", 1)[1]) == 128


def test_labels_name_the_snapshot_and_its_hub() -> None:
    assert labels("bob", 7, "sales", "", CREATED, "jupyter") == {
        LABEL_PREFIX + "hub": "jupyter", LABEL_PREFIX + "owner": "bob", LABEL_PREFIX + "dashboard-id": "7",
        LABEL_PREFIX + "dashboard": "sales", LABEL_PREFIX + "source-server": "",
        LABEL_PREFIX + "created": "2024-05-06T07:08:09Z"}


def test_dockerfile_without_deletions_adds_the_changes_over_the_image_by_id() -> None:
    text = dockerfile(BASE, Changes(added=("/srv",), modified=(), deleted=()), {"k": "v"}, user="1000")
    lines = text.splitlines()
    assert lines[0] == f"FROM {BASE}"
    assert ADD_CHANGES in lines and ADD_CHANGES == "ADD changes.tar /"
    assert "USER" not in text and "RUN" not in text
    assert not re.search(r"^(ENV|CMD|ENTRYPOINT|WORKDIR|HEALTHCHECK)", text, re.MULTILINE)


def test_dockerfile_with_nothing_to_copy_adds_nothing() -> None:
    """An empty tar is no archive to ADD: it would be copied as a file named changes.tar."""
    text = dockerfile(BASE, Changes((), (), ("/usr/bin/vim",)), {}, user="1000")
    assert "ADD" not in text


def test_deletions_run_as_root_and_the_user_is_restored() -> None:
    text = dockerfile(BASE, Changes(("/a",), (), ("/usr/bin/vim", "/opt/it's here", "/opt/$HOME")), {}, user="1000")
    lines = text.splitlines()
    user_root, user_back = lines.index("USER root"), lines.index("USER 1000")
    run = next(i for i, line in enumerate(lines) if line.startswith("RUN "))
    assert lines.index(ADD_CHANGES) < user_root < run < user_back
    command = " ".join(line.rstrip("\\").strip() for line in lines[run:user_back])
    assert command == "RUN rm -rf -- /usr/bin/vim '/opt/it'\"'\"'s here' '/opt/$HOME'"
    for line in lines[run + 1:user_back]:
        assert not line.lstrip().startswith("#")  # a continued line starting with # would be a comment


@pytest.mark.parametrize("user", ["", "root"])
def test_an_image_running_as_root_gets_no_user_lines(user: str) -> None:
    text = dockerfile(BASE, Changes((), (), ("/usr/bin/vim",)), {}, user=user)
    assert "USER" not in text and "RUN rm -rf -- \\\n    /usr/bin/vim" in text


def test_many_deletions_are_split_into_runs_short_enough_for_the_shell() -> None:
    deleted = tuple(f"/opt/conda/lib/python3.11/site-packages/package_{i:05}" for i in range(5000))
    text = dockerfile(BASE, Changes((), (), deleted), {}, user="1000")
    runs = ["RUN " + run.split("\nUSER")[0].rstrip("\n") for run in text.split("RUN ")[1:]]
    assert len(runs) > 1
    assert all(len(run) <= MAX_RUN for run in runs)
    assert [path for run in runs for path in run.split()[5::2]] == list(deleted)  # RUN rm -rf -- \ p \ p


def test_a_deleted_path_with_a_line_break_is_refused() -> None:
    with pytest.raises(SnapshotError, match="line break"):
        dockerfile(BASE, Changes((), (), ("/opt/evil\nRUN curl x | sh",)), {}, user="1000")


def test_labels_are_quoted() -> None:
    text = dockerfile(BASE, Changes((), (), ()), {"org.x.owner": 'bo"b\\$HOME', "org.x.created": "2024"})
    assert text.endswith('LABEL "org.x.owner"="bo\\"b\\\\\\$HOME" \\\n      "org.x.created"="2024"\n')
    with pytest.raises(SnapshotError):
        dockerfile(BASE, Changes((), (), ()), {"k": "a\nRUN x"})


@pytest.mark.parametrize(("image", "user"), [("alpine", "1000"), (BASE + "\nRUN x", ""), (BASE, "$X"),
                                             (BASE, "1000\nRUN x")])
def test_an_odd_image_id_or_user_is_refused(image: str, user: str) -> None:
    with pytest.raises(SnapshotError):
        dockerfile(image, Changes((), (), ("/x",)), {}, user=user)


# The build context, with a fake container answering get_archive as docker-py does: (chunks of a tar, stat).

def archive(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    """A tar as the engine makes it (Go's archive/tar writes PAX headers for long names)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def entry(name: str, kind: bytes = tarfile.REGTYPE, mode: int = 0o644, uid: int = 1000, gid: int = 100,
          linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid, info.linkname = kind, mode, uid, gid, linkname
    info.uname, info.gname, info.mtime = "jovyan", "users", 1_700_000_000
    return info


LONG = "a_module_with_a_name_long_enough_that_its_path_needs_a_pax_header_" + "x" * 60 + ".py"
ARCHIVES = {
    "/opt/conda/lib/python3.11/site-packages/foo": archive(
        (entry("foo", tarfile.DIRTYPE, 0o755), None),
        (entry("foo/__init__.py"), b"print('foo')\n"),
        (entry("foo/" + LONG), b"long\n"),
        (entry("foo/link.py", tarfile.SYMTYPE, 0o777, linkname="__init__.py"), None),
        (entry("foo/hard.py", tarfile.LNKTYPE, linkname="foo/__init__.py"), None),
    ),
    "/usr/local/bin/tool": archive((entry("tool", mode=0o4755, uid=0, gid=0), b"#!/bin/sh\n")),
    "/srv": archive((entry("srv", tarfile.DIRTYPE, 0o750, uid=0, gid=0), None),
                    (entry("srv/absolute", tarfile.SYMTYPE, 0o777, linkname="/etc/passwd"), None)),
}


class FakeContainer:
    def __init__(self, archives: dict[str, bytes], chunk: int = 7, gone: Callable[[], bool] = lambda: False) -> None:
        self.archives, self.chunk, self.gone = archives, chunk, gone
        self.asked: list[str] = []

    def get_archive(self, path: str) -> tuple[Iterator[bytes], dict[str, Any]]:
        self.asked.append(path)
        if path not in self.archives:
            raise docker.errors.NotFound(f"Could not find the file {path} in container")
        data = self.archives[path]
        # small chunks: members and headers straddle them, as 2 MB chunks of a big archive do
        chunks = (data[i:i + self.chunk] for i in range(0, len(data), self.chunk))
        return chunks, {"name": posixpath_basename(path), "size": len(data), "mode": 0, "linkTarget": ""}

    def reload(self) -> None:
        if self.gone():
            raise docker.errors.NotFound("No such container")


def posixpath_basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def read_context(context: Any) -> tuple[dict[str, tarfile.TarInfo], dict[str, bytes], str, int]:
    """changes.tar's members (by name) and files' contents, the Dockerfile, and changes.tar's size."""
    with tarfile.open(fileobj=context, mode="r:") as outer:
        assert outer.getnames() == ["Dockerfile", "changes.tar"]
        dockerfile_file, changes_file = outer.extractfile("Dockerfile"), outer.extractfile("changes.tar")
        assert dockerfile_file is not None and changes_file is not None
        text, data, size = dockerfile_file.read().decode(), changes_file.read(), outer.getmember("changes.tar").size
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as inner:
        members = {member.name: member for member in inner.getmembers()}
        contents = {}
        for member in members.values():
            content = inner.extractfile(member) if member.isreg() else None
            if content is not None:
                contents[member.name] = content.read()
    return members, contents, text, size


def test_the_changes_are_renamed_relative_to_root_with_their_owners_modes_and_links() -> None:
    changes = Changes(added=("/opt/conda/lib/python3.11/site-packages/foo", "/srv"), modified=("/usr/local/bin/tool",),
                      deleted=())
    text = dockerfile(BASE, changes, {}, user="1000")
    container = FakeContainer(ARCHIVES)
    context, size = build_context(container, changes, text)
    assert context.tell() == 0
    members, contents, written, member_size = read_context(context)
    assert written == text and size == member_size
    assert container.asked == list(changes.copied)
    site = "opt/conda/lib/python3.11/site-packages/"
    assert list(members) == [site + "foo", site + "foo/__init__.py", site + "foo/" + LONG, site + "foo/link.py",
                             site + "foo/hard.py", "srv", "srv/absolute", "usr/local/bin/tool"]
    assert members[site + "foo"].isdir() and members[site + "foo"].mode == 0o755
    init = members[site + "foo/__init__.py"]
    assert (init.uid, init.gid, init.mode, init.mtime, init.uname) == (1000, 100, 0o644, 1_700_000_000, "jovyan")
    assert contents[site + "foo/__init__.py"] == b"print('foo')\n"
    assert contents[site + "foo/" + LONG] == b"long\n"  # renamed though its name was in a pax header
    assert members[site + "foo/link.py"].issym() and members[site + "foo/link.py"].linkname == "__init__.py"
    hard = members[site + "foo/hard.py"]
    assert hard.islnk() and hard.linkname == site + "foo/__init__.py" and hard.size == 0
    assert members["srv"].mode == 0o750 and members["srv"].uid == 0
    assert members["srv/absolute"].linkname == "/etc/passwd"  # symlinks as they are
    tool = members["usr/local/bin/tool"]
    assert (tool.mode, tool.uid, tool.gid) == (0o4755, 0, 0)


def test_a_path_gone_since_the_diff_is_left_out() -> None:
    changes = Changes(added=("/srv", "/vanished"), modified=(), deleted=())
    context, _ = build_context(FakeContainer(ARCHIVES), changes, dockerfile(BASE, changes, {}))
    assert list(read_context(context)[0]) == ["srv", "srv/absolute"]


def test_a_server_gone_meanwhile_or_nothing_left_to_copy_is_an_error() -> None:
    changes = Changes(added=("/srv", "/vanished"), modified=(), deleted=())
    with pytest.raises(SnapshotError, match="went away"):
        build_context(FakeContainer(ARCHIVES, gone=lambda: True), changes, dockerfile(BASE, changes, {}))
    only_gone = Changes(added=("/vanished",), modified=(), deleted=())
    with pytest.raises(SnapshotError, match="went away"):
        build_context(FakeContainer(ARCHIVES), only_gone, dockerfile(BASE, only_gone, {}))


def test_a_member_outside_the_copied_path_is_refused() -> None:
    changes = Changes(added=("/srv",), modified=(), deleted=())
    evil = {"/srv": archive((entry("srv/../etc/passwd"), b"x"))}
    with pytest.raises(SnapshotError, match="unexpected file"):
        build_context(FakeContainer(evil), changes, dockerfile(BASE, changes, {}))
    other = {"/srv": archive((entry("etc/passwd"), b"x"))}
    with pytest.raises(SnapshotError, match="unexpected file"):
        build_context(FakeContainer(other), changes, dockerfile(BASE, changes, {}))


def test_nothing_to_copy_still_makes_a_context() -> None:
    changes = Changes((), (), ("/usr/bin/vim",))
    context, size = build_context(FakeContainer({}), changes, dockerfile(BASE, changes, {}, user="1000"))
    members, _, text, _ = read_context(context)
    assert members == {} and "ADD" not in text and size > 0


# Removing snapshots, with a fake engine.

class FakeImage:
    def __init__(self, image_id: str, tags: list[str], snapshot: bool = True) -> None:
        self.id, self.tags = image_id, tags
        self.labels = {LABEL_PREFIX + "hub": "jupyter"} if snapshot else {}


class FakeImages:
    def __init__(self, in_use: set[str]) -> None:
        self.in_use = in_use
        self.removed: list[str] = []

    def remove(self, image: str, force: bool, noprune: bool) -> None:
        assert not force and not noprune
        if image in self.in_use:
            response = requests.Response()
            response.status_code = 409
            raise docker.errors.APIError("conflict", response=response, explanation="image is being used")
        self.removed.append(image)


class FakeClient:
    def __init__(self, in_use: set[str]) -> None:
        self.images = FakeImages(in_use)


def test_snapshots_are_removed_by_tag_except_the_one_kept_and_those_in_use() -> None:
    client = FakeClient(in_use={"snaps:b-1-2"})
    images = [FakeImage("sha256:a", ["snaps:a-1-1"]), FakeImage("sha256:b", ["snaps:b-1-2"]),
              FakeImage("sha256:c", ["snaps:c-1-3"]), FakeImage("sha256:d", []),
              FakeImage("sha256:e", ["operator/image:latest"], snapshot=False)]
    assert remove_snapshots(client, images, keep="sha256:c") == ["snaps:a-1-1", "sha256:d"]
    assert client.images.removed == ["snaps:a-1-1", "sha256:d"]


# The whole snapshot, with a fake engine: what it asks, and what it builds.

class FakeAPI:
    """docker-py's low-level client as _is_directory uses it: HEAD /containers/{id}/archive, answered by a stat."""

    timeout = 60

    def __init__(self, modes: dict[str, int]) -> None:
        self.modes = modes
        self.heads: list[str] = []

    def _url(self, pathfmt: str, *args: str) -> str:
        return "http+docker://localhost/v1.45" + pathfmt.format(*args)

    def head(self, url: str, params: dict[str, str], timeout: int) -> requests.Response:
        assert url == "http+docker://localhost/v1.45/containers/c0ffee/archive" and timeout == 60
        self.heads.append(params["path"])
        response = requests.Response()
        response.status_code = 200 if params["path"] in self.modes else 404
        if response.status_code == 200:
            stat = {"name": "x", "size": 0, "mode": self.modes[params["path"]], "mtime": "", "linkTarget": ""}
            response.headers[STAT_HEADER] = base64.b64encode(json.dumps(stat).encode()).decode()
        return response


class EngineContainer(FakeContainer):
    id, short_id = "c0ffee", "c0ffee"

    def __init__(self, archives: dict[str, bytes]) -> None:
        super().__init__(archives)
        self.attrs = {"Image": BASE, "Mounts": [{"Destination": "/home/jovyan"}, {"Destination": "/srv/data"}],
                      "HostConfig": {"Tmpfs": {"/scratch": "rw"}}}

    def diff(self) -> list[dict[str, Any]]:
        return diff(("/srv", ADDED), ("/srv/absolute", ADDED), ("/srv/data", ADDED), ("/srv/data/secret", ADDED),
                    ("/usr/local", MODIFIED), ("/usr/local/bin", MODIFIED), ("/usr/local/bin/tool", MODIFIED),
                    ("/usr/local/gone", MODIFIED), ("/scratch/x", ADDED), ("/usr/bin/vim", DELETED),
                    ("/home/jovyan/.bashrc", MODIFIED), ("/tmp/x", ADDED))


class EngineImage:
    def __init__(self, image_id: str, user: str = "") -> None:
        self.id, self.attrs = image_id, {"Config": {"User": user, "Env": ["PATH=/usr/bin"]}}


class EngineImages:
    def __init__(self) -> None:
        self.built: dict[str, Any] = {}

    def get(self, image_id: str) -> EngineImage:
        if image_id != BASE:
            raise docker.errors.ImageNotFound(f"No such image: {image_id}")
        return EngineImage(BASE, user="1000")

    def build(self, **arguments: Any) -> tuple[EngineImage, Iterator[dict[str, str]]]:
        self.built = {**arguments, "context": read_context(arguments.pop("fileobj"))}
        return EngineImage("sha256:" + "cd" * 32), iter([{"stream": "Successfully built cdcdcdcdcdcd"}])


class EngineContainers:
    def __init__(self, container: EngineContainer) -> None:
        self.container = container

    def get(self, container_id: str) -> EngineContainer:
        if container_id != self.container.id:
            raise docker.errors.NotFound(f"No such container: {container_id}")
        return self.container


class Engine:
    def __init__(self) -> None:
        self.container = EngineContainer({
            "/srv/absolute": archive((entry("absolute", tarfile.SYMTYPE, 0o777, linkname="/etc/passwd"), None)),
            "/usr/local/bin/tool": ARCHIVES["/usr/local/bin/tool"]})
        self.containers = EngineContainers(self.container)
        self.images = EngineImages()
        self.api = FakeAPI({"/usr/local": MODE_DIR | 0o755, "/usr/local/bin": MODE_DIR | 0o755,
                            "/usr/local/bin/tool": 0o4755})


def test_a_snapshot_is_built_from_the_image_by_id_with_the_containers_changes_only() -> None:
    engine = Engine()
    snapshot = make_snapshot(engine, "c0ffee", "snaps", "bob", 7, "sales", "", "jupyter", CREATED)
    assert snapshot == Snapshot(reference="snaps:sales-7-20240506-070809", image_id="sha256:" + "cd" * 32,
                                owner="bob", dashboard_id=7, dashboard="sales", source_server="",
                                created="2024-05-06T07:08:09Z", bytes=snapshot.bytes)
    # the stat is asked of modified entries only; /usr/local/gone went away since the diff
    assert sorted(engine.api.heads) == ["/usr/local", "/usr/local/bin", "/usr/local/bin/tool", "/usr/local/gone"]
    # /srv holds a mount (/srv/data): only its other added paths are copied; nothing of /tmp, /scratch, the home
    assert engine.container.asked == ["/srv/absolute", "/usr/local/bin/tool", "/usr/local/gone"]
    built = engine.images.built
    assert (built["tag"], built["custom_context"], built["pull"], built["rm"], built["forcerm"]) == (
        snapshot.reference, True, False, True, True)
    members, _, text, size = built["context"]
    assert size == snapshot.bytes
    assert list(members) == ["srv/absolute", "usr/local/bin/tool"]
    assert text.startswith(f"FROM {BASE}\nADD changes.tar /\nUSER root\nRUN rm -rf -- \\\n    /usr/bin/vim\n"
                           "USER 1000\nLABEL ")
    assert '"org.containds.snapshot.hub"="jupyter"' in text and '"org.containds.snapshot.owner"="bob"' in text
    assert "ENV" not in text and "JUPYTERHUB" not in text


@pytest.mark.parametrize(("container_id", "image", "message"), [
    ("gone", BASE, "container no longer exists"), ("c0ffee", "sha256:" + "ef" * 32, "image the server was started"),
])
def test_a_container_or_image_gone_is_a_snapshot_error(container_id: str, image: str, message: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    monkeypatch.setitem(engine.container.attrs, "Image", image)
    with pytest.raises(SnapshotError, match=message):
        make_snapshot(engine, container_id, "snaps", "bob", 7, "sales", "", "jupyter", CREATED)


def test_a_failed_build_says_what_the_build_said_last(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()

    def build(**arguments: Any) -> None:
        log = [{"stream": "Step 3/5 : RUN rm -rf -- /usr/bin/vim\n"}, {"stream": "rm: cannot remove: Busy\n"},
               {"error": "The command returned a non-zero code: 1"}]
        raise docker.errors.BuildError("The command returned a non-zero code: 1", iter(log))

    monkeypatch.setattr(engine.images, "build", build)
    with pytest.raises(SnapshotError) as raised:
        make_snapshot(engine, "c0ffee", "snaps", "bob", 7, "sales", "", "jupyter", CREATED)
    assert str(raised.value) == ("the build failed: The command returned a non-zero code: 1 (last output: "
                                 "Step 3/5 : RUN rm -rf -- /usr/bin/vim | rm: cannot remove: Busy)")
