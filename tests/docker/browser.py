"""Read what a page shows once its scripts ran, with Debian's chromium driven by Playwright."""

from __future__ import annotations

import re
import shutil
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import Cookie

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PROJECT_DIR

FAILURES = PROJECT_DIR / "build" / "screenshots" / "failures"
POLL_MS = 5_000  # how often a page without the text is checked for cancelled requests
MAX_RELOADS = 5
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


@dataclass(frozen=True)
class Sighting:
    """Whether a page showed a text; when it did not, what the page showed and logged instead."""

    shown: bool
    reloads: int
    evidence: str = ""

    def __bool__(self) -> bool:
        return self.shown


def visible_text_contains(browser: Browser, url: str, text: str, timeout_ms: int = 180_000,
                          cookies: Iterable[Cookie] = ()) -> Sighting:
    """Open `url` (with a session's `cookies`, e.g. a hub login) and wait until `text` is shown on the page:
    dashboards render it after their scripts ran.

    Chromium cancels every request in flight when the host's network interfaces change (net::ERR_NETWORK_CHANGED),
    and Docker adds and removes interfaces each time a test starts or stops a container: a dashboard whose
    scripts were cancelled never runs. Such a page is reloaded, as its user would, up to MAX_RELOADS times within
    the time, each reported as a warning. A page that never shows the text comes back with the page's text,
    console errors and failed requests, and a screenshot."""
    context = browser.new_context()
    cookies = [{"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path or "/"} for c in cookies]
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("requestfailed", lambda request: console.append(f"request failed: {request.url} {request.failure}"))
    deadline = time.monotonic() + timeout_ms / 1000
    reloads = 0
    try:
        page.goto(url, timeout=timeout_ms)
        while time.monotonic() < deadline:
            seen = len(console)
            try:
                page.get_by_text(text).first.wait_for(timeout=POLL_MS)
            except PlaywrightError:  # not shown (yet)
                changed = any("ERR_NETWORK_CHANGED" in line for line in console[seen:])
                if changed and reloads < MAX_RELOADS:
                    reloads += 1
                    warnings.warn(f"{url}: requests cancelled by a network change; reloaded", stacklevel=2)
                    page.reload(timeout=timeout_ms)
                continue
            return Sighting(True, reloads)
        return Sighting(False, reloads, _evidence(page, url, console))
    except PlaywrightError as error:  # the page itself could not be loaded
        return Sighting(False, reloads, f"{error}\n{_evidence(page, url, console)}")
    finally:
        context.close()


def _evidence(page: Page, url: str, console: list[str]) -> str:
    FAILURES.mkdir(parents=True, exist_ok=True)
    screenshot = FAILURES / (re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-") + ".png")
    try:
        page.screenshot(path=str(screenshot), full_page=True)
        shown = page.inner_text("body", timeout=5_000)[:1500]
    except PlaywrightError as error:
        shown = f"(page unreadable: {error})"
    lines = "\n".join(console[-30:]) or "(none)"
    return f"the page showed:\n{shown}\nconsole and requests:\n{lines}\nscreenshot: {screenshot}"
