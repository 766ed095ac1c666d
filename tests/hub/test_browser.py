"""The dashboard flow as people do it, in Chromium: only clicks and typing, a screenshot per step.

olivia makes a voila dashboard for victor and a streamlit one for everyone through the New Dashboard form and is
taken to each by the progress page itself; victor finds the voila one under "Dashboards from others" and
sees it (no Authorize page between); rita, following the same link, gets a refusal inside the hub's layout.
olivia then edits it to all users (rita sees it) and deletes it. An app that fails shows its error in the hub's
layout with a way back. Screenshots: build/screenshots/<test>/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.docker.browser import chromium
from tests.hub.browsing import Album, Person, create_dashboard, open_person
from tests.hub.deployment import Hub, HubUsers
from tests.hub.viewing import app_file, marker, presentation_type

OWNER, VIEWER, OUTSIDER = "olivia", "victor", "rita"
FILES = {"voila": f"voila-{app_file('voila').name}", "streamlit": f"streamlit-{app_file('streamlit').name}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def owner_files(hub_users: HubUsers) -> None:
    """The apps in olivia's home (as if she had written them in JupyterLab); the viewers known to the hub. Their
    servers are stopped when the module ends."""
    for name in (VIEWER, OUTSIDER):
        hub_users(name)
    owner = hub_users(OWNER, working=True)
    for framework, path in FILES.items():
        owner.write_file(path, app_file(framework).read_text())


@pytest.fixture
def album(request: pytest.FixtureRequest) -> Album:
    return Album.for_test(request.node.name)


def _person(hub: Hub, browser: Browser, name: str, album: Album) -> Person:
    person = open_person(browser, name, album)
    person.log_in(hub.base_url, hub.password)
    return person


def open_from_the_list(person: Person, owner: str, name: str, shows: str) -> None:
    """Dashboards from others -> the dashboard (a new tab) -> the app, with no page between: the hub skips
    JupyterHub's Authorize page for dashboards (CDS_CONFIRM_DASHBOARD_ACCESS, tests/hub/test_native_authenticator.py
    has the page)."""
    person.opens_dashboards()
    with person.step(f"finds {name} under Dashboards from others") as page:
        section = page.locator("h2#dashboards-from-others ~ *")
        link = section.get_by_role("link", name=name)
        link.wait_for()
        with page.context.expect_page() as new_tab:
            link.click()
    tab = Person(person.name, new_tab.value, person.album, person.log, person.hub_url)
    with tab.step(f"sees {owner}'s {name}") as page:
        tab.waits_for_text(shows)
        assert "oauth2/authorize" not in page.url
        assert page.get_by_role("button", name="Authorize").count() == 0


def test_a_dashboard_is_made_shared_opened_and_refused_by_clicking(
        hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    olivia = _person(hub, browser, OWNER, album)
    hub.timings["browser: voila Save to content (s)"] = create_dashboard(
        olivia, "Browser voila", presentation_type("voila"), FILES["voila"], [VIEWER], marker("voila"))
    voila_url = olivia.page.url
    hub.timings["browser: streamlit Save to content (s)"] = create_dashboard(
        olivia, "Browser streamlit", presentation_type("streamlit"), FILES["streamlit"], None, marker("streamlit"))

    victor = _person(hub, browser, VIEWER, album)
    open_from_the_list(victor, OWNER, "Browser voila", marker("voila"))

    rita = _person(hub, browser, OUTSIDER, album)
    dashboard_link = f"{hub.base_url}/hub/dashboards/browser-voila"
    assert "/user/olivia/" in voila_url
    with rita.step("follows the link to the voila dashboard") as page:
        page.goto(dashboard_link)
        rita.waits_for_text("is not shared with you")
        assert "403" in page.locator("h1").inner_text()
        assert page.locator("nav").get_by_role("link", name="Dashboards").is_visible()  # the hub's layout
        assert marker("voila") not in page.content()
    open_from_the_list(rita, OWNER, "Browser streamlit", marker("streamlit"))  # for all users


def test_a_dashboard_is_edited_to_all_users_then_deleted_by_clicking(
        hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    olivia = _person(hub, browser, OWNER, album)
    create_dashboard(olivia, "Browser edit", presentation_type("voila"), FILES["voila"], [VIEWER], marker("voila"))
    olivia.opens_dashboards()
    with olivia.step("clicks Edit on Browser edit") as page:
        page.locator("tr", has_text="Browser edit").get_by_role("button", name="Edit").click()
        page.locator("#dashboard-name").wait_for()
        assert page.locator("#permissions-selectedusers").is_checked()
    with olivia.step("switches to All Users and saves") as page:
        page.locator("label[for=permissions-anyusers]").click()
        page.locator("#dashboard-save").click()
        olivia.waits_for_text(marker("voila"))

    rita = _person(hub, browser, OUTSIDER, album)
    open_from_the_list(rita, OWNER, "Browser edit", marker("voila"))

    olivia.opens_dashboards()
    with olivia.step("clicks Delete on Browser edit and confirms") as page:
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("tr", has_text="Browser edit").get_by_role("button", name="Delete").click()
        page.locator("tr", has_text="Browser edit").wait_for(state="detached")
    with olivia.step("no longer finds Browser edit after a reload") as page:
        page.reload()
        assert page.locator("tr", has_text="Browser edit").count() == 0
    rita.opens_dashboards()
    with rita.step("no longer finds Browser edit") as page:
        assert page.get_by_role("link", name="Browser edit").count() == 0


def test_an_app_that_fails_shows_its_error_in_the_hubs_layout_with_a_way_back(
        hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    olivia = _person(hub, browser, OWNER, album)
    create_dashboard(olivia, "Browser broken", presentation_type("voila"), "no-such-notebook.ipynb", None,
                     "The dashboard's app did not start")
    with olivia.step("reads the error") as page:
        output = page.locator("#app-stderr").inner_text() + page.locator("#app-stdout").inner_text()
        assert "no-such-notebook.ipynb" in output, output  # the app's own words about what went wrong
        streams = [page.locator(f"#app-{name}").inner_text().strip() for name in ("stderr", "stdout")]
        assert "None" not in streams, streams  # an empty stream says "(no output)"
        assert page.locator("nav").get_by_role("link", name="Dashboards").is_visible()
    with olivia.step("clicks Back to dashboards") as page:
        page.locator("#back-to-dashboards").click()
        page.wait_for_url(re.compile(r".*/hub/dashboards$"))
