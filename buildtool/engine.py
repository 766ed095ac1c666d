"""The only module that runs docker: builder choice, builds, image inspection, tagging and pushing.

It speaks to the engine through the docker CLI (builds, imports, the batched inspect) and the docker SDK (tag,
push, run); failures of either become this module's errors through one translator, `_engine_errors`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from buildtool.errors import BuildToolError, UsageError

if TYPE_CHECKING:
    import docker

# The docker SDK is imported only by the functions that use it: with requests under it, its import takes longer
# than a whole no-op `build all`, whose only engine call is one `docker image inspect`.

LOGGER = logging.getLogger(__name__)
CA_ENV_VARS = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
CA_SECRET_ID = "cacert"
TAIL_LINES = 40


@dataclass(frozen=True)
class Builder:
    """How images are built: `docker buildx build`, or the engine's built-in BuildKit via an older CLI."""

    kind: Literal["buildx", "builtin"]
    cli: str

    def describe(self) -> str:
        if self.kind == "buildx":
            return f"docker buildx ({self.cli} buildx build --load)"
        return f"the engine's built-in BuildKit (DOCKER_BUILDKIT=1 {self.cli} build; buildx not found)"

    def command(self) -> list[str]:
        return [self.cli, "buildx", "build", "--load"] if self.kind == "buildx" else [self.cli, "build"]

    def export_command(self, stage: str, dest: Path) -> list[str]:
        """Build one stage and write its filesystem to `dest` instead of making an image."""
        build = [self.cli, "buildx", "build"] if self.kind == "buildx" else [self.cli, "build"]
        return [*build, "--target", stage, "--output", f"type=local,dest={dest}"]

    @staticmethod
    def platform_options(platform: str | None) -> list[str]:
        """Build for `platform` (None: the engine's own); its config records it, as `docker image inspect`'s
        Architecture shows."""
        return [] if platform is None else ["--platform", platform]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_BUILDKIT": "1"}


class EngineError(BuildToolError):
    """The Docker engine refused or failed a request; the message says which and why."""


class ImageMissing(EngineError):
    """No local image has this reference."""


class CommandMissing(EngineError):
    """The image has no such executable."""


class BuildFailed(BuildToolError):
    def __init__(self, target: str, log: Path, tail: str) -> None:
        self.tail = tail
        super().__init__(f"{target}: docker build failed (full log: {log})")


@functools.cache
def client() -> docker.DockerClient:
    """The Docker SDK client; a clear error when no engine answers."""
    import docker

    try:
        engine = docker.from_env(timeout=600)
        engine.ping()
    except docker.errors.DockerException as exc:
        raise EngineError(f"no Docker engine answers ({_first_line(exc)}); start dockerd or set DOCKER_HOST") \
            from None
    return engine


@contextlib.contextmanager
def _engine_errors(subject: str) -> Iterator[None]:
    """The SDK's exceptions and failed CLI commands as this module's errors, naming `subject`, so that callers
    need not import the SDK to catch them."""
    import docker.errors

    try:
        yield
    except docker.errors.ImageNotFound:
        raise ImageMissing(f"no local image {subject}") from None
    except docker.errors.APIError as exc:
        if "executable file not found" in str(exc):
            raise CommandMissing(f"{subject}: {_first_line(exc.explanation or exc)}") from None
        raise EngineError(f"Docker engine: {_first_line(exc)}") from None
    except docker.errors.DockerException as exc:
        raise EngineError(f"Docker engine: {_first_line(exc)}") from None
    except subprocess.CalledProcessError as exc:
        raise EngineError(f"{subject}: {' '.join(map(str, exc.cmd[:3]))} failed: {_first_line(exc.stderr)}") \
            from None


def cli() -> str:
    """The docker CLI to run: $BUILDTOOL_DOCKER, else the first on PATH."""
    found = docker_clis()
    if not found:
        raise EngineError("no docker CLI on PATH (install the Docker CLI or set BUILDTOOL_DOCKER)")
    return found[0]


def docker_clis() -> list[str]:
    """Every distinct docker CLI: $BUILDTOOL_DOCKER if set, else each `docker` on PATH, then /usr/bin/docker."""
    if os.environ.get("BUILDTOOL_DOCKER"):
        return [os.environ["BUILDTOOL_DOCKER"]]
    found: list[str] = []
    for directory in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin"]:
        candidate = Path(directory or ".") / "docker"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            real = str(candidate.resolve())
            if real not in found:
                found.append(real)
    return found


@functools.cache
def detect_builder() -> Builder:
    """The builder for this machine's docker CLIs (probed once per run)."""
    return choose_builder(docker_clis())


def choose_builder(clis: Sequence[str]) -> Builder:
    """Prefer buildx; fall back to a CLI older than 23, whose `build` drives the engine's BuildKit itself."""
    for cli in clis:
        if _run_quiet([cli, "buildx", "version"]):
            return Builder("buildx", cli)
    for cli in clis:
        version = _run_quiet([cli, "version", "--format", "{{.Client.Version}}"]) or ""
        match = re.match(r"(\d+)\.", version)
        if match and int(match.group(1)) < 23:
            return Builder("builtin", cli)
    raise BuildToolError(
        "no BuildKit builder found: `docker buildx` is not installed for any docker CLI "
        f"({', '.join(clis) or 'none on PATH'}) and none is a CLI older than 23 whose `DOCKER_BUILDKIT=1 docker build` "
        "uses the engine's built-in BuildKit; install the buildx plugin (or set BUILDTOOL_DOCKER)"
    )


def find_ca_bundle(explicit: Path | None) -> Path | None:
    """The CA bundle RUN steps need to reach package indexes through a TLS proxy, if any."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"--ca-cert {explicit}: no such file")
        return explicit
    for var in CA_ENV_VARS:
        value = os.environ.get(var)
        if value and Path(value).is_file():
            return Path(value)
    return None


def build_image(
    builder: Builder,
    target: str,
    context: Path,
    refs: Sequence[str],
    labels: Mapping[str, str],
    ca_bundle: Path | None,
    log: Path,
    platform: str | None = None,
) -> None:
    """Build `context` into an image tagged `refs` (for `platform`, None: the engine's own); output goes to
    `log`, its tail into BuildFailed."""
    command = [*builder.command(), *builder.platform_options(platform), "--progress=plain"]
    for ref in refs:
        command += ["--tag", ref]
    for key, value in sorted(labels.items()):
        command += ["--label", f"{key}={value}"]
    _run_build(builder, target, [*command, *_ca_secret(ca_bundle), str(context)], log)


def export_stage(builder: Builder, target: str, context: Path, stage: str, dest: Path, ca_bundle: Path | None,
                 log: Path, platform: str | None = None) -> None:
    """Write the filesystem of build stage `stage` of `context` to `dest` (emptied first). Run after the image's
    own build, every step comes from BuildKit's cache."""
    if dest.exists():
        shutil.rmtree(dest)
    command = [*builder.export_command(stage, dest), *builder.platform_options(platform), "--progress=plain",
               *_ca_secret(ca_bundle), str(context)]
    _run_build(builder, target, command, log, append=True)


def _ca_secret(ca_bundle: Path | None) -> list[str]:
    # A BuildKit secret: mounted only while a RUN step runs, never stored in a layer or the history.
    return [] if ca_bundle is None else ["--secret", f"id={CA_SECRET_ID},src={ca_bundle}"]


def _run_build(builder: Builder, target: str, command: list[str], log: Path, append: bool = False) -> None:
    LOGGER.debug("running %s", " ".join(command))
    log.parent.mkdir(parents=True, exist_ok=True)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with log.open("a" if append else "w", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        process = subprocess.Popen(
            command, env=builder.environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace",
        )
        for line in process.stdout or ():
            out.write(line)
            tail.append(line.rstrip("\n"))
        returncode = process.wait()
    if returncode != 0:
        raise BuildFailed(target, log, "\n".join(tail))


@dataclass(frozen=True)
class ImageState:
    """What one inspect of a local image tells: its labels, size and tags."""

    labels: Mapping[str, str]
    size: int
    tags: frozenset[str]


def image_state(ref: str) -> ImageState | None:
    """The local image `ref`, or None when there is none."""
    return image_states([ref])[ref]


def image_states(refs: Sequence[str]) -> dict[str, ImageState | None]:
    """Each local image of `refs` (None when there is none), read with one `docker image inspect`."""
    if not refs:
        return {}
    result = subprocess.run([cli(), "image", "inspect", *refs], capture_output=True, text=True)
    # Exit status 1 also when only some refs are missing: each gets a "No such image" line, the rest are listed.
    problems = [line for line in result.stderr.splitlines() if line.strip() and "No such image" not in line]
    if problems or (result.returncode != 0 and not result.stderr.strip()):
        raise EngineError(f"docker image inspect failed: {_first_line(result.stderr)}")
    by_tag: dict[str, ImageState] = {}
    for image in json.loads(result.stdout or "[]"):
        tags = frozenset(_short_ref(tag) for tag in image.get("RepoTags") or ())
        state = ImageState(dict((image.get("Config") or {}).get("Labels") or {}), int(image["Size"]), tags)
        by_tag.update(dict.fromkeys(tags, state))
    return {ref: by_tag.get(_short_ref(ref)) for ref in refs}


def _short_ref(ref: str) -> str:
    """A reference as the engine lists it: Docker Hub's host (and its `library/`) left out."""
    return ref.removeprefix("docker.io/").removeprefix("library/")


def tag_image(source: str, refs: Sequence[str]) -> None:
    with _engine_errors(source):
        image = client().images.get(source)
        for ref in refs:
            repository, tag = ref.rsplit(":", 1)
            image.tag(repository, tag)


def import_rootfs(rootfs: Path, ref: str, labels: Mapping[str, str], changes: Sequence[str]) -> None:
    """`docker import` a root filesystem directory as an image (tar streamed, nothing written to disk)."""
    command = [cli(), "import"]
    for change in [*changes, *(f"LABEL {k}={json.dumps(v)}" for k, v in sorted(labels.items()))]:
        command += ["--change", change]
    command += ["-", ref]
    LOGGER.debug("running tar -C %s -c . | %s", rootfs, " ".join(command))
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
    try:
        result = subprocess.run(command, stdin=tar.stdout, capture_output=True, text=True)
    finally:
        if tar.stdout is not None:
            tar.stdout.close()
        tar.wait()
    if result.returncode != 0 or tar.returncode != 0:
        raise EngineError(f"docker import of {rootfs} as {ref} failed: {_first_line(result.stderr)}")


def build_rootfs_image(builder: Builder, rootfs: Path, ref: str, labels: Mapping[str, str], changes: Sequence[str],
                       platform: str, log: Path) -> None:
    """Make an image of a root filesystem for another platform than the engine's: `docker import --platform` does
    not record it on engine 20.10, a BuildKit build from scratch does. The tree goes in as a tar (ADD keeps its
    owners and modes; COPY would make every file root's), beside a Dockerfile of `changes`."""
    context = rootfs.parent / "image"
    context.mkdir(exist_ok=True)
    tar = subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(context / "rootfs.tar"), "."],
                         capture_output=True, text=True)
    if tar.returncode != 0:
        raise EngineError(f"tar of {rootfs} failed: {_first_line(tar.stderr)}")
    (context / "Dockerfile").write_text("\n".join(["FROM scratch", "ADD rootfs.tar /", *changes]) + "\n",
                                       encoding="utf-8")
    build_image(builder, ref, context, [ref], labels, None, log, platform)


def _run_quiet(command: list[str]) -> str | None:
    """stdout of a probe command, or None when it fails or is missing."""
    if shutil.which(command[0]) is None and not Path(command[0]).is_file():
        return None
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else "no details"


def push_image(local: str, ref: str) -> str | None:
    """Tag `local` as `ref` and push it; returns the digest the registry stored it under (the push's own answer:
    the local image's RepoDigests may name a multi-platform index it was pulled by). Registry errors reported in
    the stream become EngineError."""
    tag_image(local, [ref])
    repository, tag = ref.rsplit(":", 1)
    digest = None
    with _engine_errors(local):
        for event in client().images.push(repository, tag, stream=True, decode=True):
            if "error" in event:
                raise EngineError(str(event["error"]).strip())
            digest = (event.get("aux") or {}).get("Digest") or digest
    return digest or registry_digest(ref)


def registry_digest(ref: str) -> str | None:
    """The digest the registry gave `ref` (as recorded in the local image's RepoDigests)."""
    repository = ref.rsplit(":", 1)[0]
    with _engine_errors(ref):
        digests = client().images.get(ref).attrs.get("RepoDigests") or []
    for digest in digests:
        name, _, value = digest.partition("@")
        if name == repository:
            return value
    return None


def run_output(ref: str, command: Sequence[str]) -> str:
    """stdout of `command` run in a throw-away container of `ref` (its entrypoint bypassed). The container is
    removed whatever happens, a command that could not even start included."""
    with _engine_errors(ref):
        container = client().containers.create(ref, list(command[1:]), entrypoint=[command[0]])
        try:
            container.start()
            status = container.wait()["StatusCode"]
            output = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
            errors = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
        finally:
            container.remove(force=True)
    if status != 0:
        raise EngineError(f"{ref}: {command[0]} exited {status}: {_first_line(errors)}")
    return output
