"""The dashboard flow as people do it, in Chromium: only clicks and typing, a screenshot per step.

olivia makes a voila dashboard for victor and a streamlit one for everyone through the New Dashboard form and is
taken to each by the progress page itself; victor finds the voila one under "Dashboards from others", passes
JupyterHub's Authorize page and sees it; rita, following the same link, gets a refusal inside the hub's layout.
olivia then edits it to all users (rita sees it) and deletes it. An app that fails shows its error in the hub's
layout with a way back. Screenshots: build/screenshots/<test>/.
"""

from __future__ import annotations

import re
import statistics
import time
import warnings
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.docker.browser import chromium
from tests.hub.browsing import TIMEOUT_MS, Album, Person, open_person
from tests.hub.deployment import Hub
from tests.hub.viewing import app_file, marker

OWNER, VIEWER, OUTSIDER = "olivia", "victor", "rita"
FILES = {"voila": f"voila-{app_file('voila').name}", "streamlit": f"streamlit-{app_file('streamlit').name}"}


@pytest.fixture(scope="module", autouse=True)
def _stop_servers_afterwards(hub: Hub) -> Iterator[None]:
    """This module's users' servers are not needed by the next: fewer containers on a busy machine."""
    yield
    hub.stop_servers(*(OWNER, VIEWER, OUTSIDER))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def owner_files(hub: Hub) -> None:
    """The apps in olivia's home (as if she had written them in JupyterLab); the viewers known to the hub."""
    for name in (VIEWER, OUTSIDER):
        hub.user(name).login()
    owner = hub.user(OWNER)
    owner.login()
    owner.start_server()
    for framework, path in FILES.items():
        owner.write_file(path, app_file(framework).read_text())


@pytest.fixture
def album(request: pytest.FixtureRequest) -> Album:
    return Album.for_test(request.node.name)


def _person(hub: Hub, browser: Browser, name: str, album: Album) -> Person:
    person = open_person(browser, name, album)
    person.log_in(hub.base_url, hub.password)
    return person


def create_dashboard(person: Person, name: str, presentation_type: str, path: str, viewers: list[str] | None,
                     shows: str) -> float:
    """Fill in and save the New Dashboard form; returns the seconds from Save to the app's content on screen,
    where the progress page itself takes the browser."""
    person.opens_dashboards()
    with person.step(f"clicks New Dashboard for {name}") as page:
        page.locator("#start").click()
        page.locator("#dashboard-name").wait_for()
    with person.step(f"fills in {name}") as page:
        page.locator("#dashboard-name").fill(name)
        page.locator("#dashboard-description").fill(f"{presentation_type}, made in a browser")
        page.locator("#presentation_type").select_option(presentation_type)
        page.locator("#dashboard-start-path").fill(path)
        if viewers is None:
            page.locator("label[for=permissions-anyusers]").click()
        else:
            page.locator("label[for=permissions-selectedusers]").click()
            for viewer in viewers:
                _pick_user(page, viewer)
    with person.step(f"saves {name} and watches it start") as page:
        started = time.monotonic()
        page.locator("#dashboard-save").click()
        page.wait_for_url(re.compile(r".*/hub/dashboards/[^/]+$"))
    with person.step(f"is taken to {name} by the page") as page:
        try:
            page.get_by_text(shows).first.wait_for(timeout=TIMEOUT_MS // 2)
        except PlaywrightError:
            # Taken there, but the app's own page stalled: on a loaded machine streamlit's client has stopped
            # after fetching its scripts, before asking its server anything; its user reloads, once.
            if "/hub/" in page.url:  # still on the progress page, or on the way through the login: keep waiting
                page.get_by_text(shows).first.wait_for(timeout=TIMEOUT_MS // 2)
                return time.monotonic() - started
            warnings.warn(f"{name}: the app's page showed nothing in {TIMEOUT_MS // 2000} s; reloaded", stacklevel=1)
            page.reload()
            page.get_by_text(shows).first.wait_for(timeout=TIMEOUT_MS // 2)
        return time.monotonic() - started


def _pick_user(page: Page, name: str) -> None:
    """The form's user picker: type part of the name, click the match."""
    picker = page.locator("#selectator_selected_users")
    picker.click()
    page.keyboard.type(name)
    picker.locator(".selectator_option", has_text=name).first.click()
    picker.locator(".selectator_selected_item", has_text=name).wait_for()


def open_from_the_list(person: Person, owner: str, name: str, shows: str) -> None:
    """Dashboards from others -> the dashboard (a new tab) -> JupyterHub's Authorize page -> the app."""
    person.opens_dashboards()
    with person.step(f"finds {name} under Dashboards from others") as page:
        section = page.locator("h2#dashboards-from-others ~ *")
        link = section.get_by_role("link", name=name)
        link.wait_for()
        with page.context.expect_page() as new_tab:
            link.click()
    tab = Person(person.name, new_tab.value, person.album, person.hub_url)
    with tab.step(f"is asked to authorize {owner}'s dashboard") as page:
        page.get_by_role("button", name="Authorize").wait_for()
    with tab.step(f"clicks Authorize and sees {name}") as page:
        page.get_by_role("button", name="Authorize").click()
        page.get_by_text(shows).first.wait_for(timeout=TIMEOUT_MS)


def test_a_dashboard_is_made_shared_opened_and_refused_by_clicking(
        hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    olivia = _person(hub, browser, OWNER, album)
    hub.timings["browser: voila Save to content (s)"] = create_dashboard(
        olivia, "Browser voila", "voila", FILES["voila"], [VIEWER], marker("voila"))
    voila_url = olivia.page.url
    hub.timings["browser: streamlit Save to content (s)"] = create_dashboard(
        olivia, "Browser streamlit", "streamlit", FILES["streamlit"], None, marker("streamlit"))

    victor = _person(hub, browser, VIEWER, album)
    open_from_the_list(victor, OWNER, "Browser voila", marker("voila"))

    rita = _person(hub, browser, OUTSIDER, album)
    dashboard_link = f"{hub.base_url}/hub/dashboards/browser-voila"
    assert "/user/olivia/" in voila_url
    with rita.step("follows the link to the voila dashboard") as page:
        page.goto(dashboard_link)
        page.get_by_text("is not shared with you").first.wait_for()
        assert "403" in page.locator("h1").inner_text()
        assert page.locator("nav").get_by_role("link", name="Dashboards").is_visible()  # the hub's layout
        assert marker("voila") not in page.content()
    open_from_the_list(rita, OWNER, "Browser streamlit", marker("streamlit"))  # for all users


def test_a_dashboard_is_edited_to_all_users_then_deleted_by_clicking(
        hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    olivia = _person(hub, browser, OWNER, album)
    create_dashboard(olivia, "Browser edit", "voila", FILES["voila"], [VIEWER], marker("voila"))
    olivia.opens_dashboards()
    with olivia.step("clicks Edit on Browser edit") as page:
        page.locator("tr", has_text="Browser edit").get_by_role("button", name="Edit").click()
        page.locator("#dashboard-name").wait_for()
        assert page.locator("#permissions-selectedusers").is_checked()
    with olivia.step("switches to All Users and saves") as page:
        page.locator("label[for=permissions-anyusers]").click()
        page.locator("#dashboard-save").click()
        page.get_by_text(marker("voila")).first.wait_for(timeout=TIMEOUT_MS)

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
    create_dashboard(olivia, "Browser broken", "voila", "no-such-notebook.ipynb", None,
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


def test_save_to_content_time(hub: Hub, browser: Browser, owner_files: None, album: Album) -> None:
    """Median of three new voila dashboards, from the click on Save to the notebook's output on screen."""
    olivia = _person(hub, browser, OWNER, album)
    seconds = [create_dashboard(olivia, f"Browser timing {i}", "voila", FILES["voila"], None, marker("voila"))
               for i in range(3)]
    hub.timings["browser: voila Save to content, median of 3 (s)"] = statistics.median(seconds)
    assert statistics.median(seconds) < 60, seconds  # the goal is 10 s; this only catches a page that hangs
