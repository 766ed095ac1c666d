"""Snapshots of a source server: a dashboard's image with what its owner installed in one of their own servers.

A snapshot is NOT `docker commit`: a committed image keeps the container's whole environment, which holds the
hub's API token for that server (JUPYTERHUB_API_TOKEN, JPY_API_TOKEN, every JUPYTERHUB_* and whatever else the
spawner set), and the engine merges the container's environment into any config passed to commit. A snapshot is
built instead, by the engine's classic builder (what docker-py's `images.build` asks for; BuildKit would take
`FROM <image id>` for a repository's name), the image needing only /bin/sh and rm for deletions:

    FROM <the source container's image, by id>   # its config (Env, Cmd, Entrypoint, User...) exactly the image's
    ADD changes.tar /                            # the container's added and modified files, owners and modes kept
    RUN rm -rf -- <deleted paths>                # as root, then the image's own USER again
    LABEL org.containds.snapshot.*=...           # whose snapshot it is (`labels`)

`changes.tar` holds exactly the container's filesystem changes (`docker diff`), fetched path by path with
`docker cp`'s API, less what is never taken (`EXCLUDED` and the container's own mounts: the owner's home is a
volume, mounted into the dashboard anyway, and `docker cp` would copy a volume's content too). Nothing else of
the container gets in: no environment, no command, no labels.

Two hubs on one engine never touch each other's snapshots: every snapshot carries its hub's name (`labels`), and
`snapshots_of` lists only that hub's. The blocking calls (`make_snapshot`, `snapshots_of`, `remove_snapshots`)
are the caller's to run in a thread.
"""

from __future__ import annotations

import io
import posixpath
import re
import shlex
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any, cast

from containds_hub.log import LOG

EXCLUDED = (
    "/tmp", "/var/tmp",  # scratch: nothing there is meant to outlive the server
    "/run", "/var/run",  # runtime state (pid files, sockets) of processes that do not run in the dashboard
    "/proc", "/sys", "/dev",  # the kernel's and Docker's filesystems, made anew for every container
    "/home",  # the owner's home is a volume, mounted into the dashboard anyway; any other home is no install
    "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",  # Docker's bind mounts, written for each container
    "/.dockerenv",  # Docker's marker of a container
    "/root/.cache",  # pip's and others' download caches when run as root (sudo pip)
    "/var/cache/apt/archives",  # the .deb files apt downloaded: the installed packages are elsewhere
    "/opt/conda/pkgs",  # conda's package cache: the environment's files (hard links to it) are taken on their own
)

KIND_MODIFIED, KIND_ADDED, KIND_DELETED = 0, 1, 2  # `docker diff`'s kinds (the engine's archive.ChangeType)
MODE_DIR = 1 << 31  # Go's os.ModeDir in the mode of the engine's path stat (a Go os.FileMode, not a Unix st_mode)
STAT_HEADER = "X-Docker-Container-Path-Stat"  # base64 JSON: name, size, mode, mtime, linkTarget
LABEL_PREFIX = "org.containds.snapshot."
MAX_TAG = 128  # the engine's limit on a tag's length
CONTEXT_IN_MEMORY = 64 * 1024 * 1024  # beyond this the build context goes to a temporary file
MAX_RUN = 64 * 1024  # one RUN's command is one argument of sh -c: Linux refuses one over 128 KiB
ENGINE_TIMEOUT = 120  # seconds an engine call may take (listing, removing, stat)
BUILD_TIMEOUT = 1800  # seconds the build may be silent: ADD of hundreds of MB prints nothing while it extracts
DOCKERFILE, CHANGES = "Dockerfile", "changes.tar"
ADD_CHANGES = f"ADD {CHANGES} /"  # ADD extracts a local tar as `tar -x` does: owners, modes and times kept
IMAGE_ID = re.compile(r"(sha256:)?[0-9a-f]{12,64}")
USER = re.compile(r"[A-Za-z0-9_.@:-]*")  # the image's USER, written back as it was (no $, no quotes, no space)


class SnapshotError(RuntimeError):
    """A snapshot could not be made; the message (one line) is for the dashboard's owner."""


@dataclass(frozen=True)
class Changes:
    """What a container changed in its image's filesystem, as a snapshot takes it (`changes_from_diff`)."""

    added: tuple[str, ...]  # top-most added paths (an added directory's children are not listed again)
    modified: tuple[str, ...]  # modified entries that are not directories: files, symlinks
    deleted: tuple[str, ...]  # top-most deleted paths (what a deleted directory held is not listed again)

    @property
    def copied(self) -> tuple[str, ...]:
        """The paths whose content the snapshot copies, in order."""
        return (*self.added, *self.modified)


@dataclass(frozen=True)
class Snapshot:
    reference: str  # repository:tag
    image_id: str
    owner: str
    dashboard_id: int
    dashboard: str  # urlname
    source_server: str  # "" for the default server
    created: str  # ISO 8601 UTC
    bytes: int  # the changes layer's tar size


def changes_from_diff(diff: Iterable[Mapping[str, Any]], is_directory: Callable[[str], bool],
                      mounts: Iterable[str] = ()) -> Changes:
    """The changes a snapshot takes from `docker diff`'s entries ({"Path": ..., "Kind": 0|1|2}).

    Nothing at or under an excluded path (`EXCLUDED`, and `mounts`: the container's mount points) is taken. An
    added directory holding an excluded path (e.g. one Docker made for a volume) is not taken whole: its other
    added children are, each on its own. A modified directory only means something below it changed, and that is
    listed itself: only modified entries that are not directories are taken (`is_directory` is asked about those
    only, never about an excluded one)."""
    excluded = {*EXCLUDED, *(_normal(mount) for mount in mounts)}
    excluded.discard("/")
    kinds: dict[int, set[str]] = {KIND_MODIFIED: set(), KIND_ADDED: set(), KIND_DELETED: set()}
    for entry in diff:
        path, kind = _normal(str(entry.get("Path", ""))), entry.get("Kind")
        if path != "/" and kind in kinds and not _under_any(path, excluded):
            kinds[kind].add(path)
    whole = {path for path in kinds[KIND_ADDED] if not any(_under(other, path) for other in excluded)}
    added = sorted(path for path in whole if not any(a in whole for a in _ancestors(path)))
    deleted = sorted(p for p in kinds[KIND_DELETED] if not any(a in kinds[KIND_DELETED] for a in _ancestors(p)))
    modified = sorted(path for path in kinds[KIND_MODIFIED] if not is_directory(path))
    return Changes(added=tuple(added), modified=tuple(modified), deleted=tuple(deleted))


def labels(owner: str, dashboard_id: int, urlname: str, source_server: str, created: datetime,
           hub: str) -> dict[str, str]:
    """A snapshot's labels: whose it is, and which hub's (`hub`: the deployment's name on the engine, e.g. its
    container prefix, so that two hubs on one engine never touch each other's snapshots)."""
    return {LABEL_PREFIX + key: value for key, value in {
        "hub": hub,
        "owner": owner,
        "dashboard-id": str(dashboard_id),
        "dashboard": urlname,
        "source-server": source_server,
        "created": _iso(created),
    }.items()}


def snapshot_reference(repository: str, urlname: str, dashboard_id: int, created: datetime) -> str:
    """`<repository>:<urlname>-<id>-<YYYYmmdd-HHMMSS>` (UTC), its tag valid whatever the urlname: at most 128 of
    [A-Za-z0-9_.-], not starting with . or -, the urlname cut to fit. The repository is the caller's to check."""
    suffix = f"-{dashboard_id}-{_utc(created).strftime('%Y%m%d-%H%M%S')}"
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", urlname).lstrip(".-")[:MAX_TAG - len(suffix)].rstrip(".-")
    return f"{repository}:{name or 'dashboard'}{suffix}"


def dockerfile(base_image_id: str, changes: Changes, labels: Mapping[str, str], user: str = "") -> str:
    """The snapshot's Dockerfile: its base image by id, `changes.tar` when anything is copied, the deletions, the
    labels. No ENV, CMD or anything else: the rest is the base image's. `user` is the base image's Config.User:
    deletions run as root, and the image's own user is set again after them."""
    if not IMAGE_ID.fullmatch(base_image_id):
        raise SnapshotError(f"unexpected image id {base_image_id!r}")
    if not USER.fullmatch(user):
        raise SnapshotError(f"the image's user {user!r} cannot be written back into the snapshot")
    lines = [f"FROM {base_image_id}"]
    if changes.copied:
        lines.append(ADD_CHANGES)
    if changes.deleted:
        as_root = user not in ("", "root")  # "": the image runs as root, and USER "" cannot be written
        if as_root:
            lines.append("USER root")  # the image's user may not remove what root installed
        lines.extend(_removals(changes.deleted))
        if as_root:
            lines.append(f"USER {user}")
    if labels:
        lines.append("LABEL " + " \\\n      ".join(f"{_quote(key)}={_quote(value)}" for key, value in labels.items()))
    return "\n".join(lines) + "\n"


def build_context(container: Any, changes: Changes, dockerfile_text: str) -> tuple[IO[bytes], int]:
    """The build context: a tar of `Dockerfile` and `changes.tar`, which holds every copied path (`Changes.copied`)
    as `docker cp` gives it (`container.get_archive`), its members renamed from relative to the path's parent to
    relative to / (hard links' targets too; symlinks as they are; owners, modes, times, xattrs kept). Returns the
    context (a temporary file, at its start; the caller closes it) and the size of changes.tar.

    A path gone since the diff (the server still runs) is left out; a server gone meanwhile is an error."""
    context: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=CONTEXT_IN_MEMORY)  # noqa: SIM115 (returned)
    try:
        _write_member(context, DOCKERFILE, dockerfile_text.encode())
        header_at = context.tell()
        context.write(tarfile.NUL * tarfile.BLOCKSIZE)  # changes.tar's header, once its size is known
        start = context.tell()
        with tarfile.open(fileobj=context, mode="w", format=tarfile.PAX_FORMAT) as archive:
            copied = sum(_copy(container, path, archive) for path in changes.copied)
        end = context.tell()  # tarfile pads its archive to whole records: a whole number of blocks
        if changes.copied and not copied:
            raise SnapshotError("every file to copy went away while the snapshot was taken; try again")
        context.seek(header_at)
        context.write(_header(CHANGES, end - start))
        context.seek(end)
        context.write(tarfile.NUL * (2 * tarfile.BLOCKSIZE))  # the context's end
        context.seek(0)
    except BaseException:
        context.close()
        raise
    return context, end - start


def make_snapshot(client: Any, container_id: str, repository: str, owner: str, dashboard_id: int, urlname: str,
                  source_server: str, hub: str, now: datetime | None = None) -> Snapshot:
    """Build the snapshot of the container `container_id` for the dashboard (its id and urlname) of `owner`, tagged
    in `repository`. Blocking: run it in a thread. A stopped container will do (`docker diff` and `docker cp` read
    a stopped container's filesystem); one gone, or whose image is gone, is a SnapshotError, as is a failed build."""
    import docker.errors

    created = _utc(now or datetime.now(timezone.utc))
    try:
        try:
            container = client.containers.get(container_id)
        except docker.errors.NotFound:
            raise SnapshotError("the server's container no longer exists") from None
        try:
            base = client.images.get(str(container.attrs.get("Image") or "none"))  # by id: the image it runs
        except docker.errors.ImageNotFound:
            raise SnapshotError("the image the server was started from no longer exists on the engine; restart the "
                                "server and save the dashboard again") from None
        user = str((base.attrs.get("Config") or {}).get("User") or "")
        changes = changes_from_diff(container.diff() or [], lambda path: _is_directory(client, container.id, path),
                                    mounts=_mount_points(container.attrs))
        reference = snapshot_reference(repository, urlname, dashboard_id, created)
        text = dockerfile(base.id, changes, labels(owner, dashboard_id, urlname, source_server, created, hub), user)
        LOG.info("containds-hub: snapshot %s of container %s: %d added, %d modified, %d deleted", reference,
                 container.short_id, len(changes.added), len(changes.modified), len(changes.deleted))
        context, size = build_context(container, changes, text)
        with context:
            image = _build(client, context, reference)
    except docker.errors.APIError as error:
        raise SnapshotError(f"the engine refused: {_one_line(error.explanation or str(error))}") from None
    except (docker.errors.DockerException, tarfile.TarError) as error:
        raise SnapshotError(f"the engine's answer was not understood: {_one_line(str(error))}") from None
    except OSError as error:  # the engine unreachable or silent too long (requests' errors), or the hub's disk full
        raise SnapshotError(f"the snapshot could not be made: {_one_line(str(error))}") from None
    return Snapshot(reference=reference, image_id=image.id, owner=owner, dashboard_id=dashboard_id,
                    dashboard=urlname, source_server=source_server, created=_iso(created), bytes=size)


def snapshots_of(client: Any, hub: str, dashboard_id: int | None = None, owner: str | None = None) -> list[Any]:
    """This hub's snapshots on the engine (of one dashboard, of one owner's dashboards), newest first."""
    wanted = {"hub": hub, "dashboard-id": None if dashboard_id is None else str(dashboard_id), "owner": owner}
    filters = [f"{LABEL_PREFIX}{key}={value}" for key, value in wanted.items() if value is not None]
    images = client.images.list(filters={"label": filters})  # several label filters: all must hold
    return sorted(images, key=lambda image: (image.labels.get(LABEL_PREFIX + "created", ""),
                                             str(image.attrs.get("Created", ""))), reverse=True)


def remove_snapshots(client: Any, images: Iterable[Any], keep: str | None = None) -> list[str]:
    """Remove these snapshots but the one whose id is `keep`; returns the references removed. Each is removed by
    its tag (a snapshot has one; an image of several tags is not removed by its id without force), untagged
    parents with it. One a container still uses stays (the engine's conflict), to be removed another time; an
    image that is no snapshot (no hub label) is never touched."""
    import docker.errors

    removed: list[str] = []
    for image in images:
        if image.id == keep or LABEL_PREFIX + "hub" not in (image.labels or {}):
            continue
        for reference in list(image.tags) or [image.id]:
            try:
                client.images.remove(image=reference, force=False, noprune=False)
            except docker.errors.NotFound:
                continue  # removed meanwhile
            except docker.errors.APIError as error:
                if error.status_code != 409:  # 409: in use, left for next time
                    LOG.warning("containds-hub: snapshot %s not removed: %s", reference,
                                _one_line(error.explanation or str(error)))
                break
            removed.append(reference)
    return removed


def engine() -> Any:
    """The Docker engine the hub spawns on (DOCKER_HOST, else the local socket)."""
    import docker
    import docker.errors

    try:
        return docker.from_env(timeout=ENGINE_TIMEOUT)
    except docker.errors.DockerException as error:
        raise SnapshotError(f"the Docker engine cannot be reached ({_one_line(str(error))})") from None


def _build(client: Any, context: IO[bytes], reference: str) -> Any:
    import docker.errors

    try:
        image, _log = client.images.build(fileobj=context, custom_context=True, tag=reference, rm=True,
                                          forcerm=True, pull=False, timeout=BUILD_TIMEOUT)
    except docker.errors.BuildError as error:
        last = [line for line in _log_lines(error.build_log) if line != _one_line(str(error.msg))][-3:]
        raise SnapshotError(_one_line(f"the build failed: {error.msg}"
                                      + (f" (last output: {' | '.join(last)})" if last else ""))) from None
    return image


def _log_lines(build_log: Iterable[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for chunk in build_log:
        text = chunk.get("stream") or chunk.get("error") or ""
        lines.extend(line.strip() for line in str(text).splitlines() if line.strip())
    return lines


def _is_directory(client: Any, container_id: str, path: str) -> bool:
    """Whether `path` (a final symlink not followed) is a directory in the container, from the stat the engine
    answers HEAD /containers/{id}/archive with: it only stats the path, where GET (all docker-py offers) starts
    archiving it, a whole tree for a directory. docker-py has no call for it: its own URL maker makes the address.
    A path gone since the diff is no directory: its copy finds it gone too."""
    import docker.errors
    import requests
    from docker.utils import decode_json_header

    url = client.api._url("/containers/{0}/archive", container_id)
    response = client.api.head(url, params={"path": path}, timeout=client.api.timeout)
    if response.status_code == 404:
        return False
    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as error:
        raise docker.errors.create_api_error_from_http_exception(error) from None
    header = response.headers.get(STAT_HEADER)
    if not header:
        raise SnapshotError(f"the engine said nothing about {path} in the server")
    return bool(int(decode_json_header(header)["mode"]) & MODE_DIR)


def _mount_points(attrs: Mapping[str, Any]) -> list[str]:
    """Where the container has mounts (volumes, binds, tmpfs): a volume's content is no change of the container."""
    mounts = [str(mount.get("Destination") or "") for mount in attrs.get("Mounts") or ()]
    mounts.extend(str(path) for path in ((attrs.get("HostConfig") or {}).get("Tmpfs") or {}))
    return [mount for mount in mounts if mount.startswith("/")]


def _copy(container: Any, path: str, archive: tarfile.TarFile) -> int:
    """Add `path` of the container to `archive`, its members renamed relative to /; how many were added."""
    import docker.errors

    try:
        chunks, _stat = container.get_archive(path)
    except docker.errors.NotFound:
        try:
            container.reload()  # the server gone, or only this path?
        except docker.errors.NotFound:
            raise SnapshotError("the server's container went away while the snapshot was taken") from None
        LOG.info("containds-hub: snapshot: %s went away before it was copied; left out", path)
        return 0
    parent = posixpath.dirname(path).lstrip("/")
    prefix, base = (parent + "/" if parent else ""), posixpath.basename(path)
    stream, count = iter(chunks), 0
    try:
        with tarfile.open(fileobj=cast(IO[bytes], _ChunkReader(stream)), mode="r|") as source:
            for member in source:
                member.name = prefix + _inside(member.name, base, path)
                if member.islnk():  # a hard link names another member of the same archive
                    member.linkname = prefix + _inside(member.linkname, base, path)
                # A pax header read from the source has priority over the fields when written again: drop those
                # renamed here (tarfile writes new ones as needed) and the size of what has no data.
                dropped = {"path", "linkpath"} if member.isreg() else {"path", "linkpath", "size"}
                member.pax_headers = {k: v for k, v in member.pax_headers.items() if k not in dropped}
                if not member.isreg():
                    member.size = 0
                archive.addfile(member, source.extractfile(member) if member.isreg() else None)
                count += 1
        for _padding in stream:  # what follows the archive's end, read so that the connection can be used again
            pass
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return count


def _inside(name: str, base: str, path: str) -> str:
    """A member's name in `docker cp`'s archive of `path`: its base name, or under it."""
    if not (name == base or name.startswith(base + "/")) or ".." in name.split("/"):
        raise SnapshotError(f"unexpected file {name!r} in the copy of {path}")
    return name


class _ChunkReader(io.RawIOBase):
    """A readable file over docker-py's archive stream (an iterator of byte strings), for tarfile's stream mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")  # a view: taking from the front of a 2 MB chunk copies nothing

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _write_member(context: IO[bytes], name: str, data: bytes) -> None:
    context.write(_header(name, len(data)))
    context.write(data)
    context.write(tarfile.NUL * (-len(data) % tarfile.BLOCKSIZE))


def _header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, 0o644
    return info.tobuf(format=tarfile.USTAR_FORMAT)  # one block: a short name, and under 8 GiB


def _removals(paths: Sequence[str]) -> list[str]:
    """RUN lines removing `paths`, each command short enough to be one argument of the image's shell."""
    quoted = []
    for path in paths:
        if any(c in path for c in "\n\r\0"):  # a Dockerfile is read line by line
            raise SnapshotError(f"a deleted path holds a line break: {path!r}")
        quoted.append(shlex.quote(path))
    # One path a line: a line starts with / or ' (quoted), never # (a comment inside a continued instruction).
    start, separator = "RUN rm -rf -- \\\n    ", " \\\n    "
    runs: list[list[str]] = [[]]
    length = 0
    for word in quoted:
        if runs[-1] and length + len(separator) + len(word) > MAX_RUN:
            runs.append([])
        length = (length + len(separator) if runs[-1] else len(start)) + len(word)
        runs[-1].append(word)
    return [start + separator.join(words) for words in runs]


def _quote(value: str) -> str:
    """A LABEL key or value in double quotes: what the Dockerfile un-escapes there (\\, " and $, else the base
    image's variables would be substituted), no line breaks."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in value):
        raise SnapshotError(f"a label holds a control character: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _normal(path: str) -> str:
    return posixpath.normpath("/" + path.lstrip("/"))


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _under_any(path: str, directories: Iterable[str]) -> bool:
    return any(_under(path, directory) for directory in directories)


def _ancestors(path: str) -> Iterator[str]:
    """/a and /a/b for /a/b/c."""
    parts = path.strip("/").split("/")
    for end in range(1, len(parts)):
        yield "/" + "/".join(parts[:end])


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_line(text: str) -> str:
    return " ".join(text.split())
