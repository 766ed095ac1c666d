"""Checks of the Docker engine a deployment needs, made once as the hub starts: each failure is one line saying
what is missing and what to do, instead of a traceback at the first spawn."""

from __future__ import annotations

from typing import Any


class PreflightError(RuntimeError):
    """The engine cannot run this deployment's servers."""


def engine() -> Any:
    """The Docker engine the hub spawns on (DOCKER_HOST, else the local socket)."""
    import docker
    import docker.errors

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except docker.errors.DockerException as exc:
        raise PreflightError(f"the Docker engine cannot be reached ({exc}); mount /var/run/docker.sock and give "
                             "the hub its group") from None
    return client


def check_image(client: Any, image: str, variable: str) -> None:
    import docker.errors

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        raise PreflightError(f"{variable}={image}: no such image on this Docker engine; build or pull it first") \
            from None
    except docker.errors.APIError as exc:
        raise PreflightError(f"{variable}={image}: {exc.explanation or exc}") from None


def check_network(client: Any, network: str, variable: str, scope: str | None = None) -> None:
    """The network exists (and, when `scope` is given, is of that scope: `swarm` for an overlay network)."""
    import docker.errors

    try:
        found = client.networks.get(network)
    except docker.errors.NotFound:
        raise PreflightError(f"{variable}={network}: no such Docker network; the hub and the servers it spawns "
                             "share it") from None
    except docker.errors.APIError as exc:  # e.g. two networks of that name
        raise PreflightError(f"{variable}={network}: {exc.explanation or exc}") from None
    if scope is not None and found.attrs.get("Scope") != scope:
        raise PreflightError(f"{variable}={network}: an overlay network expected with CDS_SPAWNER=swarm")


def check_swarm_manager(client: Any) -> None:
    if not client.info().get("Swarm", {}).get("ControlAvailable"):
        raise PreflightError("CDS_SPAWNER=swarm: this engine is no swarm manager; run the hub on a manager node "
                             "(hub/README.md, Swarm)")
