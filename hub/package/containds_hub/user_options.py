"""What a user may ask of the servers the hub starts for them: a dashboard's presentation, nothing more.

cdsdashboards' `VariableMixin.start` copies every `user_options` key that names a spawner trait onto the
spawner, so without this check any user could choose `volumes`, `extra_host_config` (privileged, the Docker
socket), `image`, `cmd`, `environment`... through one API call. `clean` is the only way in: it accepts exactly
the options cdsdashboards' DockerBuilder passes to a dashboard's server, and an image only from the operator's
allow list; anything else is refused with one message naming what was refused.

Pure logic (no JupyterHub import), so it is unit-tested on its own; `containds_spawner` calls it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

# What cdsdashboards' ProcessBuilder.start sets for a dashboard server (presentation and source of the app).
DASHBOARD_OPTIONS = ("presentation_type", "presentation_path", "git_repo", "git_repo_branch", "conda_env")
# The environment the builder passes: the viewers, read by jhsingle-native-proxy. The hub recomputes both
# from the dashboards table (`Dashboard`), so their values here are never trusted.
DASHBOARD_ENVIRONMENT = ("JUPYTERHUB_ANYONE", "JUPYTERHUB_GROUP")
MAX_TEXT = 1024


class UserOptionsError(ValueError):
    """user_options the hub refuses; the message is shown to the user (HTTP 400)."""


@dataclass(frozen=True)
class Dashboard:
    """The dashboard a server presents, as the hub's database says (never as the request says)."""

    anyone: bool  # viewable by every user
    group: str  # the group holding its selected viewers
    dashboard_id: int = 0
    snapshot: str | None = None  # the image its server runs when it has a source server (containds_hub.snapshots)
    snapshot_id: str | None = None  # that image's id, as its builder recorded it


def clean(options: Mapping[str, Any] | None, dashboard: Dashboard | None, presentation_types: Collection[str],
          allowed_images: Collection[str] | str) -> dict[str, Any]:
    """The options a server may start with, or UserOptionsError naming every key that is not allowed.

    `dashboard` is the dashboard this server presents (None for a notebook server); `allowed_images` is
    DockerSpawner's allow list (`"*"` for any image, empty for none).
    """
    options = dict(options or {})
    problems: list[str] = []
    cleaned: dict[str, Any] = {}

    if "image" in options:
        image = options.pop("image")
        if isinstance(image, list) and len(image) == 1:  # a spawn form posts lists
            image = image[0]
        if not allowed_images:
            problems.append("image (this hub offers no choice of image)")
        elif not isinstance(image, str) or (allowed_images != "*" and image not in allowed_images):
            problems.append(f"image {image!r} (allowed: {', '.join(sorted(allowed_images))})")
        else:
            cleaned["image"] = image

    presentation = {key: options.pop(key) for key in DASHBOARD_OPTIONS if key in options}
    environment = options.pop("environment", None)
    problems.extend(f"{key} (not a setting users may choose)" for key in sorted(options))

    if presentation or environment:
        if dashboard is None:
            problems.append("dashboard options on a server that is not a dashboard")
        else:
            cleaned.update(_presentation(presentation, presentation_types, problems))
            _check_environment(environment, problems)
            cleaned["environment"] = {"JUPYTERHUB_ANYONE": "1" if dashboard.anyone else "0",
                                      "JUPYTERHUB_GROUP": "" if dashboard.anyone else dashboard.group}
    if problems:
        raise UserOptionsError("refused user options: " + "; ".join(problems))
    return cleaned


def _presentation(values: dict[str, Any], presentation_types: Collection[str], problems: list[str]) -> dict[str, str]:
    for key, value in values.items():
        if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
            problems.append(f"{key} (a text of at most {MAX_TEXT} characters expected)")
    kind = values.get("presentation_type", "")
    if isinstance(kind, str) and kind and kind not in presentation_types:
        problems.append(f"presentation_type {kind!r} (one of {', '.join(sorted(presentation_types))} expected)")
    path = values.get("presentation_path", "")
    if isinstance(path, str) and ".." in path.split("/"):
        problems.append("presentation_path (a path inside the owner's home expected, without '..')")
    return {key: value for key, value in values.items() if isinstance(value, str)}


def _check_environment(environment: Any, problems: list[str]) -> None:
    if environment is None:
        return
    if not isinstance(environment, Mapping):
        problems.append("environment (not a setting users may choose)")
        return
    extra = sorted(str(key) for key in environment if key not in DASHBOARD_ENVIRONMENT)
    if extra:
        problems.append(f"environment {', '.join(extra)} (not a setting users may choose)")
