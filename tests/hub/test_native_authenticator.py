"""The compose deployment as it ships, with its default authenticator: NativeAuthenticator. Every other compose
test logs in through the dummy authenticator; here alice (an admin) signs up, bob and carol sign up and wait for
her approval, she approves them on the hub's authorization page, and the three-user scenario runs on their logins.

This hub also keeps JupyterHub's "Authorize access" page for dashboards (CDS_CONFIRM_DASHBOARD_ACCESS=true, the
other way of that setting): a viewer's first open of a dashboard shows it, and the next does not."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import docker
import pytest
import requests

from buildtool.graph import Graph
from tests.hub.deployment import ADMIN, Hub, deployed_hub
from tests.hub.hubclient import HubUser, authorize_form
from tests.hub.scenarios import USERS, share_check_and_restart
from tests.hub.viewing import shows

HUB_GROUP = "native"  # a deployment of its own: its own test worker

PROJECT = "containds-native"


@pytest.fixture(scope="module")
def native_hub(build_image: Callable[[str], str], graph: Graph, docker_client: docker.DockerClient,
               singleuser_image_name: str) -> Iterator[Hub]:
    with deployed_hub(docker_client, PROJECT, graph.matrix.line, build_image(graph.matrix.hub.name),
                      build_image(singleuser_image_name), CDS_AUTHENTICATOR="native",
                      CDS_CONFIRM_DASHBOARD_ACCESS="true") as hub:
        yield hub


def sign_up(hub: Hub, name: str) -> None:
    """The sign-up form, with the hub's one test password (each user's own password in a real hub)."""
    session = requests.Session()
    session.get(f"{hub.base_url}/hub/signup", timeout=30)
    response = session.post(f"{hub.base_url}/hub/signup", timeout=30, data={
        "username": name, "signup_password": hub.password, "signup_password_confirmation": hub.password,
        "_xsrf": session.cookies.get("_xsrf", "")})
    assert response.status_code == 200, response.text[:300]


def can_log_in(user: HubUser) -> bool:
    try:
        user.login()
    except AssertionError:
        return False
    return True


def test_users_sign_up_are_approved_by_the_admin_and_share_dashboards(native_hub: Hub) -> None:
    assert ADMIN in USERS
    for name in USERS:
        sign_up(native_hub, name)
    waiting = [name for name in USERS if name != ADMIN]
    assert not any(can_log_in(native_hub.user(name)) for name in waiting), "logged in before any approval"
    admin = native_hub.user(ADMIN)
    assert can_log_in(admin), "the admin's own sign-up needs no approval"
    for name in waiting:
        approved = admin.session.post(admin.url(f"/hub/authorize/{name}"), data={"_xsrf": admin.xsrf()}, timeout=30)
        assert approved.status_code == 200, approved.status_code
        assert can_log_in(native_hub.user(name)), f"{name} was approved but cannot log in"
    paths = share_check_and_restart(native_hub, f"{native_hub.line} NativeAuthenticator")

    newcomer = native_hub.user("dave")  # a viewer who has not opened the all-users dashboard yet
    sign_up(native_hub, newcomer.name)
    approved = admin.session.post(admin.url(f"/hub/authorize/{newcomer.name}"), data={"_xsrf": admin.xsrf()},
                                  timeout=30)
    assert approved.status_code == 200 and can_log_in(newcomer)
    first = newcomer.session.get(newcomer.url(paths["dash"]), timeout=120)
    assert authorize_form(first) is not None, f"no Authorize page for a first open: {first.url}"
    assert shows(newcomer, paths["dash"], "dash")  # clicked through
    again = newcomer.session.get(newcomer.url(paths["dash"]), timeout=120)
    assert authorize_form(again) is None, "asked again after authorizing once"
