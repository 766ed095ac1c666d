"""A logged-in user asks the hub's API for a server with settings only the operator may choose.

cdsdashboards copies every user option that names a spawner setting onto the spawner: one request gave a
privileged container with the Docker socket (root on the host). Every such request must be refused (400),
start nothing, leave no option behind, and the user's ordinary servers must still start as configured.
"""

from __future__ import annotations

from typing import Any

import pytest

from containds_hub.naming import dashboard_server_name
from tests.hub.attacks import ATTACK_NAMES, SOCKET, attacks
from tests.hub.deployment import Hub, HubUsers
from tests.hub.hubclient import HubUser
from tests.hub.viewing import dashboard_group, presentation_type

ATTACKER = "mallory"


@pytest.fixture(scope="module")
def mallory(hub_users: HubUsers) -> HubUser:
    return hub_users(ATTACKER)


@pytest.fixture(scope="module")
def options(hub: Hub) -> dict[str, dict[str, Any]]:
    """Every attack's options, asking for this hub's own image where one asks for an image."""
    return attacks(hub.environment["CDS_HUB_IMAGE"])


def _privileged_or_socket_containers(hub: Hub) -> list[str]:
    """Every container this hub spawned that is privileged or has the Docker socket mounted (other deployments the
    tests run at the same time, and their hubs, which hold the socket, are not this hub's servers)."""
    found = []
    prefix = hub.environment["CDS_CONTAINER_PREFIX"] + "-"
    operators = {hub.host, f"{hub.host}-egress"}  # the hub and its egress service: the deployment's, not users'
    for container in hub.client.containers.list(all=True, filters={"name": prefix}):
        if container.name in operators or not container.name.startswith(prefix):
            continue
        mounts = [m.get("Source", "") for m in container.attrs.get("Mounts", [])]
        if container.attrs["HostConfig"].get("Privileged") or SOCKET in mounts:
            found.append(container.name)
    return found


@pytest.mark.parametrize("server", ["probe", ""], ids=["named-server", "default-server"])
@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_options_only_the_operator_may_choose_are_refused(
        hub: Hub, mallory: HubUser, options: dict[str, dict[str, Any]], attack: str, server: str) -> None:
    path = f"users/{ATTACKER}/servers/{server}" if server else f"users/{ATTACKER}/server"
    response = mallory.api("POST", path, json=options[attack])
    assert response.status_code == 400, f"{attack}: {response.status_code} {response.text[:300]}"
    assert "refused user options" in response.json()["message"]
    assert not mallory.server_model(server), f"{attack}: a server was started"
    assert _privileged_or_socket_containers(hub) == []


def test_after_refusals_the_servers_start_exactly_as_the_operator_configured(
        hub: Hub, mallory: HubUser, options: dict[str, dict[str, Any]]) -> None:
    for refused in options.values():  # refused first; a later start without options must not reuse them
        mallory.api("POST", f"users/{ATTACKER}/servers/probe", json=refused)
    mallory.start_server("probe")
    mallory.start_server()
    for server in ("probe", ""):
        container = hub.container_of(ATTACKER, server)
        host = container.attrs["HostConfig"]
        assert not host["Privileged"]
        assert container.image.tags and hub.environment["CDS_SINGLEUSER_IMAGE"] in container.image.tags
        assert list(container.attrs["NetworkSettings"]["Networks"]) == [hub.environment["CDS_DOCKER_NETWORK"]]
        mounts = [(m["Type"], m.get("Name"), m["Destination"]) for m in container.attrs["Mounts"]]
        home = hub.environment["CDS_HOME_VOLUME"].format(username=ATTACKER)
        assert mounts == [("volume", home, "/home/jovyan")]
        assert host["Memory"] == 2 * 1024**3  # CDS_MEM_LIMIT's default, 2G
        assert host["CpuQuota"] / host["CpuPeriod"] == 1.0  # CDS_CPU_LIMIT's default
        assert host["PidsLimit"] == 1024
        assert host["SecurityOpt"] == ["no-new-privileges:true"]
        assert host["CapDrop"] == ["ALL"]
        assert container.attrs["Config"]["Healthcheck"]["Test"] == ["NONE"]  # JupyterHub watches it instead
        assert container.name.startswith(hub.environment["CDS_CONTAINER_PREFIX"] + "-")
        environment = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
        assert "LD_PRELOAD" not in environment and "JUPYTERHUB_ANYONE" not in environment
    assert _privileged_or_socket_containers(hub) == []
    mallory.stop_server("probe")


def test_a_dashboard_server_takes_its_viewers_from_the_database_not_from_the_request(
        hub: Hub, hub_users: HubUsers, mallory: HubUser) -> None:
    """mallory's dashboard is for nobody but her; a direct start of its server claiming "anyone" gets the
    database's answer, and extra settings on it are refused like everywhere else."""
    mallory.start_server()
    mallory.write_file("private.py", "import streamlit as st\nst.write('MALLORY-ONLY')\n")
    urlname = mallory.save_dashboard("Mallory private", presentation_type("streamlit"), "private.py", [])
    server = dashboard_server_name(urlname)
    dashboard = {"presentation_type": presentation_type("streamlit"), "presentation_path": "private.py", "git_repo": "",
                 "git_repo_branch": "", "conda_env": ""}

    mallory.stop_server(server)  # saving the dashboard started its server
    refused = mallory.api("POST", f"users/{ATTACKER}/servers/{server}",
                          json={**dashboard, "volumes": {SOCKET: SOCKET}})
    assert refused.status_code == 400, refused.text[:300]

    mallory.start_server(server, {**dashboard, "environment": {"JUPYTERHUB_ANYONE": "1", "JUPYTERHUB_GROUP": "x"}})
    environment = dict(item.split("=", 1) for item in hub.container_of(ATTACKER, server).attrs["Config"]["Env"])
    assert environment["JUPYTERHUB_ANYONE"] == "0"
    assert environment["JUPYTERHUB_GROUP"] == dashboard_group(urlname)
    other = hub_users("oscar")
    response = other.open(f"/user/{ATTACKER}/{server}/")
    assert response.status_code == 403, f"another user reached the private dashboard: {response.status_code}"
    assert "MALLORY-ONLY" not in response.text
