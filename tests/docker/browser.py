"""Read what a page shows once its scripts ran, with Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.cookiejar import Cookie

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

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


def visible_text_contains(browser: Browser, url: str, text: str, timeout_ms: int = 180_000,
                          cookies: Iterable[Cookie] = ()) -> bool:
    """Open `url` (with a session's `cookies`, e.g. a hub login) and wait until `text` is shown on the page:
    dashboards render it after their scripts ran."""
    context = browser.new_context()
    cookies = [{"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path or "/"} for c in cookies]
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    try:
        page.goto(url, timeout=timeout_ms)
        page.get_by_text(text).first.wait_for(timeout=timeout_ms)
        return True
    except PlaywrightError:  # a timeout or a navigation error: the text was not shown
        return False
    finally:
        context.close()
