"""Benchmark: a voila dashboard made in a browser, from the click on Save to the notebook's output on screen.

    python bench/browser.py    (builds what it needs; starts a hub from hub/docker-compose.yml)

A hub with the default line's hub image and its first singleuser image with voila; its owner, in Chromium, fills
in and saves cdsdashboards' New Dashboard form five times (a voila dashboard for all users each time) and is taken
by the progress page to the notebook's output (tests/hub/browsing.py, as the browser tests do it): the form's
Save, the dashboard server's start (a new container), the OAuth round trip and voila running the notebook. The
goal is 10 s. Median of five. Results: bench/results-browser.md.
"""

from __future__ import annotations

import statistics
import sys

import docker
from common import PROJECT_DIR, header, publish, voila_hub_images

sys.path.insert(0, str(PROJECT_DIR))  # the tests' deployment and browser helpers
from lines import voila_owner

from tests.docker.browser import chromium
from tests.hub.browsing import Album, create_dashboard, open_person
from tests.hub.deployment import start_hub, stop_hub
from tests.hub.viewing import marker, presentation_type

RESULTS = PROJECT_DIR / "bench" / "results-browser.md"
DASHBOARDS = 5
GOAL = 10  # seconds


def main() -> None:
    client = docker.from_env(timeout=300)
    line, hub_ref, image_ref = voila_hub_images()
    hub = start_hub(client, "containds-bench-browser", line, hub_ref, image_ref)
    try:
        owner = voila_owner(hub)  # her notebook server running, the fixture notebook in her home
        with chromium() as browser:
            person = open_person(browser, owner.name, Album.for_test("bench-browser"))
            person.log_in(hub.base_url, hub.password)
            seconds = [create_dashboard(person, f"Bench browser {i}", presentation_type("voila"), "voila-app.ipynb",
                                        None, marker("voila")) for i in range(DASHBOARDS)]
    finally:
        stop_hub(hub)
    median = statistics.median(seconds)
    rows = [
        *header("A voila dashboard made in a browser: Save to content", "python bench/browser.py"),
        f"Images: {hub_ref} and {image_ref}.",
        "",
        f"| owner: Save to content (median of {DASHBOARDS}) | each | goal |",
        "|---|---|---|",
        f"| {median:.1f} s | {', '.join(f'{s:.1f}' for s in seconds)} s | {GOAL} s |",
        "",
        "From the click on Save in the New Dashboard form to the notebook's output on screen, where the progress",
        "page itself takes the browser: the form, the dashboard server's start (a new container), the OAuth round",
        "trip through the hub and voila running the notebook. Screenshots: build/screenshots/bench-browser/.",
    ]
    publish(RESULTS, rows)


if __name__ == "__main__":
    main()
