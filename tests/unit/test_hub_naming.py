"""Dashboard server names (containds_hub.naming): valid on JupyterHub 6 for every name cdsdashboards accepts."""

from __future__ import annotations

import re

import pytest

from containds_hub.naming import dashboard_server_name, display_name

JUPYTERHUB_6_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # and at most 30 characters


def urlname(dashboard_name: str) -> str:
    """cdsdashboards 0.6.3's Dashboard.calc_urlname, before it appends -1, -2... for uniqueness."""
    return re.sub(r"-+$", "", re.sub(r"[^a-zA-Z0-9]+", "-", dashboard_name).lower()[:35])


NAMES = [
    "Sales", "Dash Z", "Z", " Leading space", "123 starts with a digit", "!!!", "_-!@$()*+?<>'\"",
    "A dashboard name of a hundred characters: " + "x" * 58, "Trailing punctuation?!", "Ünïcödé",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_accepted_name_gives_a_valid_server_name(name: str) -> None:
    server = dashboard_server_name(urlname(name))
    assert JUPYTERHUB_6_NAME.fullmatch(server) and len(server) <= 30, server


def test_valid_names_are_kept_as_they_were() -> None:
    """What JupyterHub 5 hubs already run keeps its name: upgrades find the same servers."""
    assert dashboard_server_name("sales") == "dash-sales"
    assert dashboard_server_name("dash-z") == "dash-dash-z"
    assert dashboard_server_name("123-starts") == "dash-123-starts"


def test_names_that_must_change_stay_distinct_and_stable() -> None:
    urlnames = {urlname(name) for name in NAMES}  # cdsdashboards appends -1, -2... to a urlname already used
    assert len({dashboard_server_name(u) for u in urlnames}) == len(urlnames)
    assert dashboard_server_name("-leading-space") == dashboard_server_name("-leading-space")
    long_one, longer_one = "x" * 35, "x" * 34 + "y"
    assert dashboard_server_name(long_one) != dashboard_server_name(longer_one)


def test_display_names_are_what_jupyterhub_6_accepts() -> None:
    assert display_name("  Two  spaces  ") == "Two spaces"
    assert display_name("   ") == "dashboard"
    assert len(display_name("x" * 300)) == 255
