"""A real second Swarm node for the tests: Debian's Docker engine in a container of its own (tests/hub/worker/),
joined to the tests' swarm as a worker, pulling from the test registry.

The container gets every capability the host's own bounding set has (`--privileged` asks for all of them and fails
on hosts whose bounding set lacks one, as these machines' lacks SYS_RESOURCE), no seccomp or AppArmor profile, every
device, the host's cgroups, and its own volume for /var/lib/docker (overlay2 works there, on the host's file
system). The registry listens on the
host's loopback: a relay on the host's bridge address and one on the node's own loopback make the same
`127.0.0.1:<port>/...` references work on both nodes (an engine trusts a registry on its loopback). Everything made
here is removed afterwards: the node leaves the swarm and is removed from it, its container, its volume and the relay.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
from docker.models.containers import Container

from tests.waiting import wait_until

WORKER_DIR = Path(__file__).resolve().parent / "worker"
LABEL = "containds-test"  # `containds-test=worker`: where dashboards go (placement_settings)
CAPABILITIES = [  # numbers to names, linux/capability.h, as far as Docker 20.10 knows them (without CAP_)
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
    "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
    "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
]


@dataclass(frozen=True)
class Worker:
    """The node: its container on this engine, its own engine's client, its swarm node id and address."""

    container: Container
    engine: docker.DockerClient
    node_id: str
    address: str


def bridge_address() -> str:
    """The host's address on Docker's default bridge: what the swarm advertises, so that a node in a container
    reaches the manager."""
    output = subprocess.run(["ip", "-4", "-o", "addr", "show", "docker0"], capture_output=True, text=True).stdout
    assert "inet " in output, f"no IPv4 address on docker0: {output!r}"
    return output.split("inet ", 1)[1].split("/", 1)[0]


def missing_capabilities() -> list[str]:
    """The capabilities an engine knows that this process's bounding set lacks (the tests run as root on the
    host): a container cannot have them."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("CapBnd:"))
    mask = int(line.split()[1], 16)
    return [name for bit, name in enumerate(CAPABILITIES) if not mask & (1 << bit)]


def worker_image(client: docker.DockerClient, root: str) -> str:
    tag = "containds-tests/swarm-worker:latest"
    client.images.build(path=str(WORKER_DIR), tag=tag, buildargs={"ROOT": root}, rm=True, pull=False)
    return tag


@contextlib.contextmanager
def worker_node(client: docker.DockerClient, image: str, name: str, registry: str, sockets: Path,
                shared: Path) -> Iterator[Worker]:
    """A worker joined to this engine's swarm (which must advertise `bridge_address()`), its engine pulling
    `registry` (127.0.0.1:<port>) through relays, its socket in the directory `sockets`, this machine's directory
    `shared` at the same path (storage both nodes mount); labelled `containds-test=worker`."""
    manager = client.info()["Swarm"]
    assert manager.get("ControlAvailable"), "this engine is no swarm manager"
    host = bridge_address()
    assert manager["NodeAddr"] == host, (f"the swarm advertises {manager['NodeAddr']}, which a node in a container "
                                         f"cannot reach; tests/hub/swarm.py's swarm_mode advertises {host}")
    port = registry.rsplit(":", 1)[1]
    _remove(client, name)
    client.containers.run(image, ["socat", f"TCP-LISTEN:{port},bind={host},fork,reuseaddr",
                                          f"TCP:127.0.0.1:{port}"], detach=True, name=f"{name}-relay",
                          network_mode="host")
    volume = client.volumes.create(f"{name}-data")
    script = (f"socat TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr TCP:{host}:{port} & "
              "exec dockerd --storage-driver=overlay2 --host=unix:///var/run/docker.sock "
              "--host=unix:///run/node/docker.sock")
    # The CLI: the SDK has no way to unmask /proc (systempaths=unconfined), where the node's engine writes.
    command = ["docker", "run", "--detach", "--name", name, "--hostname", name, "--cap-add", "ALL",
               *(f"--cap-drop={cap}" for cap in missing_capabilities()),
               *(f"--security-opt={o}=unconfined" for o in ("seccomp", "apparmor", "systempaths")),
               "--device-cgroup-rule", "a *:* rwm", "--volume", f"{volume.name}:/var/lib/docker",
               "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--volume", f"{sockets}:/run/node",
               "--volume", f"{shared}:{shared}", image, "sh", "-c", script]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"the node's container: {result.stderr}"
    container = client.containers.get(name)
    try:
        container.reload()
        address = container.attrs["NetworkSettings"]["IPAddress"]
        engine = _engine_at(sockets / "docker.sock")
        token = client.swarm.attrs["JoinTokens"]["Worker"]
        engine.swarm.join(remote_addrs=[f"{host}:2377"], join_token=token, advertise_addr=address)
        node_id = engine.info()["Swarm"]["NodeID"]
        wait_until(lambda: client.nodes.get(node_id).attrs["Status"]["State"] == "ready", 60, interval=1,
                   message=f"{name} never became ready in the swarm")
        label_for_dashboards(client, node_id, on=True)
        yield Worker(container, engine, node_id, address)
    finally:
        _remove(client, name)


def _engine_at(socket_path: Path) -> docker.DockerClient:
    def answers() -> bool:
        return docker.DockerClient(base_url=f"unix://{socket_path}", timeout=30).ping()

    wait_until(answers, 60, interval=0.5, ignoring=(docker.errors.DockerException, OSError),
               message="the node's engine did not answer")
    return docker.DockerClient(base_url=f"unix://{socket_path}", timeout=300)


def _remove(client: docker.DockerClient, name: str) -> None:
    """The node out of the swarm and gone, with its volume and the relay (also what an earlier run left)."""
    for node in client.nodes.list(filters={"role": "worker"}):
        if node.attrs["Description"].get("Hostname") == name:
            with contextlib.suppress(docker.errors.APIError):
                node.remove(force=True)
    for container_name in (name, f"{name}-relay"):
        with contextlib.suppress(docker.errors.NotFound):
            client.containers.get(container_name).remove(force=True, v=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            client.volumes.get(f"{name}-data").remove(force=True)
        except docker.errors.NotFound:
            break
        except docker.errors.APIError:  # still in use while the container goes
            time.sleep(1)


def placement_settings(shared: Path) -> dict[str, str]:
    """A hub's settings for two nodes: notebook servers on the manager, dashboards on nodes labelled
    `containds-test=worker`, homes in `shared` (storage every node mounts at that path)."""
    return {"CDS_SWARM_CONSTRAINTS": "node.role==manager",
            "CDS_SWARM_DASHBOARD_CONSTRAINTS": f"node.labels.{LABEL}==worker",
            "CDS_HOME_VOLUME_OPTIONS": f"type=none o=bind device={shared}/{{username}}"}


def make_home(shared: Path, user: str) -> Path:
    """The user's directory on the shared storage, as its operator makes it (Docker's driver does not)."""
    home = shared / user
    home.mkdir(exist_ok=True)
    os.chown(home, 1000, 100)
    return home


def label_for_dashboards(client: docker.DockerClient, node_id: str, on: bool) -> None:
    """Add or remove the label that places dashboards on a node."""
    node = client.nodes.get(node_id)
    spec = node.attrs["Spec"]
    labels = {k: v for k, v in spec.get("Labels", {}).items() if k != LABEL}
    node.update({**spec, "Labels": {**labels, **({LABEL: "worker"} if on else {})}})
