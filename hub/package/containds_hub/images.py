"""Which images a user may ask a server to run: DockerSpawner's `allowed_images`, evaluated here.

DockerSpawner's own evaluation (`_get_allowed_images`) is private and may change between releases; this is the
same contract, owned by the hub: `allowed_images` is `"*"` (any image), a list of images, a mapping of names
to images, or a callable taking the spawner and returning one of those. The names a user may send are the
list's items or the mapping's keys (DockerSpawner resolves a name to its image when the server starts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANY = "*"


def allowed_images(spawner: Any) -> Mapping[str, str] | str:
    """The image names this spawner's user may choose, with the image each stands for; `"*"` for any."""
    return normalise(spawner.allowed_images(spawner) if callable(spawner.allowed_images) else spawner.allowed_images)


def normalise(value: Any) -> Mapping[str, str] | str:
    if value == ANY:
        return ANY
    if isinstance(value, str):
        raise ValueError(f"allowed_images: {ANY!r} (any image) is the only text accepted, got {value!r}")
    if isinstance(value, Mapping):
        return {str(name): str(image) for name, image in value.items()}
    return {str(image): str(image) for image in value or ()}
