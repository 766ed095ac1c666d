"""The hub's user_options check (containds_hub.user_options), as pure logic; tests/hub attacks the real hub."""

from __future__ import annotations

import re

import pytest

from containds_hub.user_options import Dashboard, UserOptionsError, clean

TYPES = ("voila", "streamlit")
BUILDER = {  # what cdsdashboards' DockerBuilder passes to a dashboard's server
    "presentation_type": "voila", "presentation_path": "app.ipynb", "git_repo": "", "git_repo_branch": "",
    "conda_env": "", "environment": {"JUPYTERHUB_ANYONE": "0", "JUPYTERHUB_GROUP": "dash-x"},
}
SELECTED = Dashboard(anyone=False, group="dash-x")


def test_the_builders_options_pass_with_viewers_from_the_database() -> None:
    claimed = {**BUILDER, "environment": {"JUPYTERHUB_ANYONE": "1", "JUPYTERHUB_GROUP": "everyone"}}
    cleaned = clean(claimed, SELECTED, TYPES, [])
    assert cleaned["environment"] == {"JUPYTERHUB_ANYONE": "0", "JUPYTERHUB_GROUP": "dash-x"}
    assert {k: v for k, v in cleaned.items() if k != "environment"} == {
        k: v for k, v in BUILDER.items() if k != "environment"}
    assert clean(BUILDER, Dashboard(anyone=True, group="dash-x"), TYPES, [])["environment"] == {
        "JUPYTERHUB_ANYONE": "1", "JUPYTERHUB_GROUP": ""}


def test_no_options_are_fine_anywhere() -> None:
    assert clean(None, None, TYPES, []) == {}
    assert clean({}, SELECTED, TYPES, []) == {}


@pytest.mark.parametrize("extra", [
    {"volumes": {"/var/run/docker.sock": "/var/run/docker.sock"}},
    {"extra_host_config": {"privileged": True}},
    {"cmd": ["sh"]}, {"network_name": "host"}, {"mem_limit": "64G"}, {"args": ["--allow-root"]},
    {"environment": {"LD_PRELOAD": "/tmp/x.so"}},
    {"environment": "LD_PRELOAD=/tmp/x.so"},
    {"presentation_path": "../../etc/passwd"},
    {"presentation_type": "shell"},
    {"presentation_path": ["a", "b"]},
], ids=["volumes", "host-config", "cmd", "network", "mem-limit", "args", "ld-preload", "environment-text",
        "path-up", "unknown-type", "path-not-text"])
def test_anything_beyond_a_presentation_is_refused(extra: dict) -> None:
    with pytest.raises(UserOptionsError, match=r"^refused user options: "):
        clean({**BUILDER, **extra}, SELECTED, TYPES, [])


def test_dashboard_options_on_a_server_that_is_not_a_dashboard_are_refused() -> None:
    with pytest.raises(UserOptionsError, match="not a dashboard"):
        clean(BUILDER, None, TYPES, [])


def test_every_problem_is_named_in_one_message() -> None:
    with pytest.raises(UserOptionsError) as refused:
        clean({"cmd": ["sh"], "volumes": {}, "image": "x"}, None, TYPES, [])
    assert str(refused.value) == ("refused user options: image (this hub offers no choice of image); "
                                  "cmd (not a setting users may choose); volumes (not a setting users may choose)")


def test_an_image_only_from_the_operators_list() -> None:
    allowed = ["example/notebook:1"]
    assert clean({"image": allowed[0]}, None, TYPES, allowed) == {"image": allowed[0]}
    assert clean({"image": [allowed[0]]}, None, TYPES, allowed) == {"image": allowed[0]}  # from a spawn form
    with pytest.raises(UserOptionsError, match=re.escape("allowed: example/notebook:1")):
        clean({"image": "example/hub:1"}, None, TYPES, allowed)
    with pytest.raises(UserOptionsError, match="no choice of image"):
        clean({"image": allowed[0]}, None, TYPES, [])
    assert clean({"image": "anything:1"}, None, TYPES, "*") == {"image": "anything:1"}
