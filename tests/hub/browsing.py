"""A hub user in a real browser (Playwright driving Debian's chromium): clicking and typing, a screenshot per step.

Every step is named; its screenshot goes to build/screenshots/<test>/<NN>-<user>-<step>.png. A step that fails
saves the page it was on (screenshot and HTML, named FAILED-...) and says which step it was. A person waits for
what a page shows as tests/docker/browser.py does: the page is reloaded only when Chromium cancelled its requests
on a network change, and a text that never shows fails with what the page showed and logged.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.conftest import PROJECT_DIR
from tests.docker.browser import BrowserLog, wait_for_text

SCREENSHOTS = PROJECT_DIR / "build" / "screenshots"
TIMEOUT_MS = 240_000  # a dashboard's first start (image present) on a machine busy with other tests


@dataclass
class Album:
    """The screenshots of one test, numbered in the order they were taken."""

    directory: Path
    taken: list[Path] = field(default_factory=list)

    @classmethod
    def for_test(cls, name: str) -> Album:
        directory = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*"):
            old.unlink()
        return cls(directory)

    def path(self, label: str, suffix: str = ".png") -> Path:
        path = self.directory / f"{len(self.taken) + 1:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}{suffix}"
        self.taken.append(path)
        return path


@dataclass
class Person:
    """One user at one browser window."""

    name: str
    page: Page
    album: Album
    log: BrowserLog  # of the window's browser context: every tab of it
    hub_url: str = ""  # where the hub is, as a bookmark would hold it

    @contextlib.contextmanager
    def step(self, description: str) -> Iterator[Page]:
        """A step of what the person does; screenshot after it, or the failing page and the step's name."""
        label = f"{self.name}-{description}"
        try:
            yield self.page
        except Exception as exc:
            with contextlib.suppress(Exception):
                self.page.screenshot(path=self.album.path(f"FAILED-{label}"), full_page=True)
                self.album.path(f"FAILED-{label}", ".html").write_text(self.page.content())
            raise AssertionError(f"{self.name} failed at step {description!r} on {self.page.url}: {exc}") from exc
        self.page.screenshot(path=self.album.path(label), full_page=True)

    def waits_for_text(self, text: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Until `text` is on the page, which is reloaded only when Chromium cancelled requests of it on a network
        change (each reload a warning); fails with what the page showed, its console errors and failed requests."""
        sighting = wait_for_text(self.page, self.log, text, timeout_ms)
        if not sighting:
            raise AssertionError(f"{text!r} not shown within {timeout_ms // 1000} s:\n{sighting.evidence}")

    def log_in(self, base_url: str, password: str) -> None:
        self.hub_url = base_url
        with self.step("opens the hub") as page:
            page.goto(f"{base_url}/hub/login", timeout=TIMEOUT_MS)
            page.locator("#username_input").wait_for()
        with self.step("signs in") as page:
            page.locator("#username_input").fill(self.name)
            page.locator("#password_input").fill(password)
            page.locator("#login_submit").click()
            page.wait_for_url(re.compile(r".*/hub/(home|spawn.*|user.*)$"), timeout=TIMEOUT_MS)

    def opens_dashboards(self) -> None:
        if "/hub/" not in self.page.url:  # on a dashboard: back to the hub, as from a bookmark
            with self.step("returns to the hub") as page:
                page.goto(f"{self.hub_url}/hub/home")
        with self.step("clicks Dashboards") as page:
            page.locator("nav").get_by_role("link", name="Dashboards").click()
            page.wait_for_url(re.compile(r".*/hub/dashboards$"))


def open_person(browser: Browser, name: str, album: Album) -> Person:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    log = BrowserLog.of(context)
    return Person(name, context.new_page(), album, log)


def create_dashboard(person: Person, name: str, presentation_type: str, path: str, viewers: list[str] | None,
                     shows: str) -> float:
    """Fill in and save the New Dashboard form; returns the seconds from Save to `shows` on screen, where the
    progress page itself takes the browser."""
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
    with person.step(f"is taken to {name} by the page"):
        person.waits_for_text(shows)
        return time.monotonic() - started


def _pick_user(page: Page, name: str) -> None:
    """The form's user picker: type part of the name, click the match."""
    picker = page.locator("#selectator_selected_users")
    picker.click()
    page.keyboard.type(name)
    picker.locator(".selectator_option", has_text=name).first.click()
    picker.locator(".selectator_selected_item", has_text=name).wait_for()
