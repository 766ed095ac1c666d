"""Read what a page shows once its scripts ran, with Debian's chromium driven by Playwright.

Chromium cancels every request in flight when the host's network interfaces change (net::ERR_NETWORK_CHANGED),
and Docker adds and removes interfaces each time a test starts or stops a container: a dashboard whose scripts
were cancelled never runs them. `wait_for_text` reloads such a page, as its user would, and no other: a page is
reloaded only when a request of its current document (from its last main-frame navigation on, the load itself
included) was cancelled so, up to MAX_RELOADS times, each a warning. A page that never shows the text comes back
with the page's text, its console errors and failed requests. The hub's browser tests (tests/hub/browsing.py)
wait the same way.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import Cookie
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PROJECT_DIR
from tests.waiting import WaitTimeout, wait_until

FAILURES = PROJECT_DIR / "build" / "screenshots" / "failures"
POLL_MS = 5_000  # how often a page without the text is checked for cancelled requests
MAX_RELOADS = 5
NETWORK_CHANGED = "ERR_NETWORK_CHANGED"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise RuntimeError("chromium is not installed (scripts/setup installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserLog:
    """Console errors and warnings and failed requests of every page of a browser context (new tabs included,
    from their first request), and where in that record each page's current document began to load."""

    entries: list[tuple[Page | None, str]] = field(default_factory=list)
    loads: dict[Page, int] = field(default_factory=dict)  # page -> index of its last main-frame navigation
    addresses: dict[Page, str] = field(default_factory=dict)  # page -> the URL that navigation asked for

    @classmethod
    def of(cls, context: BrowserContext) -> BrowserLog:
        log = cls()
        context.on("console", log._console)
        context.on("requestfailed", log._failed)
        context.on("request", log._request)
        return log

    def lines(self, page: Page) -> list[str]:
        return [line for owner, line in self.entries if owner is page]

    def network_changed(self, page: Page) -> bool:
        """Whether Chromium cancelled a request of the page's current document on a network change."""
        since = self.entries[self.loads.get(page, 0):]
        return any(owner is page and NETWORK_CHANGED in line for owner, line in since)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.entries.append((message.page, f"{message.type}: {message.text}"))

    def _failed(self, request: Request) -> None:
        self.entries.append((_page_of(request), f"request failed: {request.url} {request.failure}"))

    def _request(self, request: Request) -> None:
        page = _page_of(request)
        if page is not None and request.is_navigation_request() and request.frame.parent_frame is None:
            self.loads[page] = len(self.entries)
            self.addresses[page] = request.url

    def reload(self, page: Page) -> None:
        """Load the page's document again: the URL its main frame last asked for (a GET, as a user's reload of
        a dashboard; also when the document itself was cancelled and Chromium shows its error page instead)."""
        page.goto(self.addresses.get(page, page.url), wait_until="commit")


def _page_of(request: Request) -> Page | None:
    try:
        return request.frame.page
    except PlaywrightError:  # a service worker's request, or a new tab's first one, made before its frame
        return None


@dataclass(frozen=True)
class Sighting:
    """Whether a page showed a text; when it did not, what the page showed and logged instead."""

    shown: bool
    reloads: int
    evidence: str = ""

    def __bool__(self) -> bool:
        return self.shown


def wait_for_text(page: Page, log: BrowserLog, text: str, timeout_ms: int, screenshot: Path | None = None) -> Sighting:
    """Wait until `text` is shown on `page`, reloading it when (and only when) Chromium cancelled requests of
    its current document on a network change (see above). When it is not shown in time: the evidence, and a
    screenshot at `screenshot` if given."""
    reloads = 0

    def shown() -> bool:
        nonlocal reloads
        assert not page.is_closed(), f"the page was closed before it showed {text!r}"  # ends the wait at once
        try:
            page.get_by_text(text).first.wait_for(timeout=POLL_MS)
        except PlaywrightError:  # not shown (yet)
            if log.network_changed(page) and reloads < MAX_RELOADS:
                reloads += 1
                warnings.warn(f"{page.url}: requests cancelled by a network change; reloaded", stacklevel=2)
                log.reload(page)
            raise
        return True

    try:
        wait_until(shown, timeout_ms / 1000, interval=0, ignoring=(PlaywrightError,))
    except WaitTimeout as timeout:
        return Sighting(False, reloads, f"{timeout.last}\n{evidence(page, log, screenshot)}\nreloads: {reloads}")
    return Sighting(True, reloads)


def evidence(page: Page, log: BrowserLog, screenshot: Path | None = None) -> str:
    """What a page shows and what it logged (and a screenshot of it, if a path is given)."""
    saved = ""
    try:
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            saved = f"\nscreenshot: {screenshot}"
        shown = page.inner_text("body", timeout=5_000)[:1500]
    except PlaywrightError as error:
        shown = f"(page unreadable: {error})"
    lines = "\n".join(log.lines(page)[-30:]) or "(none)"
    return f"{page.url} showed:\n{shown}\nconsole errors and failed requests:\n{lines}{saved}"


def visible_text_contains(browser: Browser, url: str, text: str, timeout_ms: int = 180_000,
                          cookies: Iterable[Cookie] = ()) -> Sighting:
    """Open `url` (with a session's `cookies`, e.g. a hub login) and wait until `text` is shown on the page:
    dashboards render it after their scripts ran. A page that never shows it comes back with evidence and a
    screenshot under build/screenshots/failures/."""
    context = browser.new_context()
    cookies = [{"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path or "/"} for c in cookies]
    if cookies:
        context.add_cookies(cookies)
    log = BrowserLog.of(context)
    page = context.new_page()
    screenshot = FAILURES / (re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-") + ".png")
    try:
        try:
            page.goto(url, timeout=timeout_ms, wait_until="commit")
        except PlaywrightError as error:  # the page could not be loaded: retried below only after a network change
            if not log.network_changed(page):
                return Sighting(False, 0, f"{error}\n{evidence(page, log, screenshot)}")
        return wait_for_text(page, log, text, timeout_ms, screenshot)
    finally:
        context.close()
