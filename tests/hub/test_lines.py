"""The hub on every other JupyterHub line of the matrix, and the upgrade from it to the default line.

Each other line gets the three-user scenario (shares, refusals, an edit, a restart) on a hub of its own. Then, as
an operator upgrades, the same deployment (data volume, users' homes, running servers) is started again with the
default line's hub: every dashboard opens for exactly the viewers it had, and opens again once its server has been
restarted on the default line's image.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import docker
import pytest

from buildtool.graph import Graph
from containds_hub.naming import dashboard_server_name
from tests.hub.deployment import Hub, start_hub, stop_hub
from tests.hub.scenarios import FRAMEWORKS, share_check_and_restart
from tests.hub.viewing import presentation_type, refused, shows, wait_until_shown

HUB_GROUP = "lines"  # a deployment of its own: its own test worker


def _image_with(graph: Graph, frameworks: tuple[str, ...]) -> str:
    """The first singleuser image of the matrix with these frameworks (the cheapest to build on another line)."""
    return next(t.name for t in graph.targets.values()
                if t.kind == "image" and set(frameworks) <= set(graph.frameworks(t.name)))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "line" in metafunc.fixturenames:
        from tests.conftest import _matrix_under_test

        lines = [line for line in _matrix_under_test().lines if line != _matrix_under_test().line]
        metafunc.parametrize("line", lines, scope="module")


@pytest.fixture(scope="module")
def line_hub(line: str, build_on_line: Callable[[str | None, str], str], graph: Graph,
             docker_client: docker.DockerClient) -> Iterator[Hub]:
    image = _image_with(graph, FRAMEWORKS)
    hub = start_hub(docker_client, f"containds-line-{line.replace('.', '')}", line,
                    build_on_line(line, graph.matrix.hub.name), build_on_line(line, image))
    try:
        yield hub
    finally:
        stop_hub(hub)


def test_the_line_shares_dashboards_exactly_and_survives_a_restart(line_hub: Hub) -> None:
    share_check_and_restart(line_hub, line_hub.line)
    form = line_hub.logged_in("alice").session.get(f"{line_hub.base_url}/hub/dashboards-new", timeout=60)
    assert form.status_code == 200 and 'name="source_server"' in form.text  # the hub's own form on this line too


def test_upgrading_to_the_default_line_keeps_every_dashboard(
        line_hub: Hub, build_image: Callable[[str], str], graph: Graph) -> None:
    paths = _dashboards(line_hub)
    upgraded = {"CDS_HUB_IMAGE": build_image(graph.matrix.hub.name),
                "CDS_SINGLEUSER_IMAGE": build_image(_image_with(graph, FRAMEWORKS))}
    line_hub.environment.update(upgraded)
    result = line_hub.compose("up", "-d")  # the operator's upgrade: the same deployment, the new hub image
    assert result.returncode == 0, result.stderr
    line_hub.wait_until_up()
    bob, carol = line_hub.user("bob"), line_hub.user("carol")
    bob.login()
    carol.login()
    for framework, path in paths.items():  # servers started by the old line, still running
        assert shows(bob, path, framework), f"bob lost {framework} in the upgrade"
    assert refused(carol, paths["streamlit"], "streamlit"), "carol got the bob-only dashboard after the upgrade"

    alice = line_hub.user("alice")
    alice.login()
    urlname = paths["dash"].rsplit("/", 1)[1]
    alice.save_dashboard("Dash fixture", presentation_type("dash"), "dash-app.py", None, urlname=urlname)  # restarts it
    wait_until_shown(carol, paths["dash"], "dash")
    server = dashboard_server_name(urlname)
    assert alice.server_model(server), "the dashboard's server is not running after its edit"
    image = line_hub.container_of("alice", server).image.tags
    assert upgraded["CDS_SINGLEUSER_IMAGE"] in image, image


def _dashboards(hub: Hub) -> dict[str, str]:
    """The paths of alice's dashboards on this hub, by framework, as the scenario named them."""
    alice = hub.user("alice")
    alice.login()
    owned = alice.session.get(f"{hub.base_url}/hub/dashboards-api", timeout=60).json()["_owned"]
    by_name = {d["name"]: urlsplit(d["url"]).path for d in owned}
    return {fw: by_name[f"{fw.capitalize()} fixture"] for fw in FRAMEWORKS}
