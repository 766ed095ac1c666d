"""NativeAuthenticator's sign-up approval cannot be triggered by a link (cross-site request forgery).

NativeAuthenticator 1.3.0 approves a sign-up when an admin's browser GETs /hub/authorize/<user>: any page the
admin visits could do it with an <img>. The hub image makes approval (and discard) a POST that JupyterHub
checks for its XSRF token. This needs a hub with NativeAuthenticator (the shared test hub uses the dummy one):
one more hub container, which spawns nothing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import docker
import docker.errors
import pytest
import requests

from tests.hub.deployment import Hub, free_port, wait_until_answering
from tests.hub.hubclient import HubUser

ADMIN, NEWCOMER = "admin", "newbie"


@pytest.fixture(scope="module")
def native_hub(hub: Hub) -> Iterator[str]:
    """A NativeAuthenticator hub on the shared hub's engine and network; returns its URL."""
    port = free_port()
    name = f"{hub.host}-native"
    with contextlib.suppress(docker.errors.NotFound):
        hub.client.containers.get(name).remove(force=True, v=True)
    container = hub.client.containers.run(
        hub.environment["CDS_HUB_IMAGE"], name=name, detach=True,
        environment={"CDS_AUTHENTICATOR": "native", "CDS_ADMIN_USERS": ADMIN, "CDS_HUB_HOST": name,
                     "CDS_SINGLEUSER_IMAGE": hub.environment["CDS_SINGLEUSER_IMAGE"],
                     "CDS_DOCKER_NETWORK": hub.environment["CDS_DOCKER_NETWORK"]},
        volumes={"/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"}},
        group_add=[hub.environment["DOCKER_GID"]], network=hub.environment["CDS_DOCKER_NETWORK"],
        ports={"8000/tcp": ("127.0.0.1", port)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, 120, lambda: container.logs(tail=50).decode("utf-8", "replace"))
        yield url
    finally:
        container.remove(force=True, v=True)


def _sign_up(url: str, name: str, password: str) -> None:
    session = requests.Session()
    session.get(f"{url}/hub/signup", timeout=30)
    response = session.post(f"{url}/hub/signup", timeout=30, data={
        "username": name, "signup_password": password, "signup_password_confirmation": password,
        "_xsrf": session.cookies.get("_xsrf", ""),
    })
    assert response.status_code == 200, response.text[:300]


def _can_log_in(url: str, name: str, password: str) -> bool:
    try:
        HubUser(url, name, password).login()
    except AssertionError:
        return False
    return True


def test_a_sign_up_is_approved_only_by_the_admins_form_not_by_a_link(native_hub: str) -> None:
    admin_password, newcomer_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    _sign_up(native_hub, ADMIN, admin_password)
    _sign_up(native_hub, NEWCOMER, newcomer_password)
    assert not _can_log_in(native_hub, NEWCOMER, newcomer_password), "a sign-up was approved without an admin"

    admin = HubUser(native_hub, ADMIN, admin_password)
    admin.login()
    for link in (f"/hub/authorize/{NEWCOMER}", f"/hub/discard/{NEWCOMER}"):  # what a forged <img> would fetch
        response = admin.session.get(admin.url(link), timeout=30)
        assert response.status_code == 405, f"GET {link}: {response.status_code}"
    forged = admin.session.post(admin.url(f"/hub/authorize/{NEWCOMER}"), timeout=30)  # a cross-site form: no token
    assert forged.status_code == 403, forged.status_code
    assert not _can_log_in(native_hub, NEWCOMER, newcomer_password), "approved without the admin's form"

    page = admin.session.get(admin.url("/hub/authorize"), timeout=30)
    assert f'action="/hub/authorize/{NEWCOMER}"' in page.text  # the admin's page approves with a form
    approved = admin.session.post(admin.url(f"/hub/authorize/{NEWCOMER}"), timeout=30,
                                  data={"_xsrf": admin.xsrf()})
    assert approved.status_code == 200, approved.status_code  # back on the authorization page
    assert _can_log_in(native_hub, NEWCOMER, newcomer_password)
