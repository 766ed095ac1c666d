"""What this release of the package was built with, from matrix.yaml: the default singleuser image, the JupyterHub
line, and how dashboards are started (the presentation command and every framework's launcher).

The build tool renders `release.json` into the package when it builds the wheel; the hub configures every
deployment from it, so the hub and the images it starts agree on how a dashboard runs (frameworks on 127.0.0.1
behind jhsingle-native-proxy, R shiny without shiny-server, bokeh with inline resources).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELEASE_FILE = Path(__file__).with_name("release.json")


@dataclass(frozen=True)
class Release:
    singleuser_image: str  # the image servers run unless the deployment says otherwise
    jupyterhub: str  # the JupyterHub line the images were built for
    cdsdashboards: str
    presentation_cmd: tuple[str, ...]
    presentation_launchers: dict[str, dict[str, Any]]


def load_release(path: Path = RELEASE_FILE) -> Release:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the package is built by `python -m buildtool build containds-hub`")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Release(data["singleuser_image"], data["jupyterhub"], data["cdsdashboards"],
                   tuple(data["presentation_cmd"]), dict(data["presentation_launchers"]))
