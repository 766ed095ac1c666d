"""Packages by the names a built image knows them by, and the tag placeholders that read their installed versions.

A framework's tag names the installed package it reads, in its placeholder: `{python:NAME}` is the version of the
Python distribution NAME that `pip list` reports inside the image (NAME normalized: lower case, `-` for each run of
`-`, `_` and `.`), `{r:NAME}` the version of R package NAME that R's `installed.packages()` reports (lower case).
Nothing else maps a tag to a package: the manifest (manifest.py) fills these values from the image, and the matrix
(matrix.py) checks each placeholder against the names the framework's own package specs install, derived here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

KINDS = ("python", "r")  # what a package placeholder reads: `{python:NAME}`, `{r:NAME}`
PACKAGE_PLACEHOLDER = re.compile(f"({'|'.join(KINDS)}):(.*)")  # the text between the braces of one
PIP_NAME = re.compile(r"[A-Za-z0-9_.-]+")  # a requirement's distribution name, before any extra or version
SYSTEM_NAME = re.compile(r"[A-Za-z0-9_.+-]+")  # an apt or conda spec's package name, before any version
# R packages as the system package managers name them: Debian's r-cran-<name>, conda-forge's r-<name>.
R_PACKAGE_PREFIX = {"apt": "r-cran-", "conda": "r-"}
NOT_IN_A_TAG = re.compile(r"[^A-Za-z0-9_.-]")  # e.g. a local version's `+`


def placeholder(kind: str, name: str) -> str:
    """The text between the braces of a placeholder reading package `name` of `kind` (python or r)."""
    return f"{kind}:{name}"


def python_name(name: str) -> str:
    """A distribution's normalized name (PEP 503): `Jupyter_Server` and `jupyter.server` are `jupyter-server`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    """The normalized distribution name of a pip requirement (`voila==0.5.13` installs `voila`)."""
    match = PIP_NAME.match(spec)
    return python_name(match.group(0) if match else spec)


def r_name(manager: str, spec: str) -> str | None:
    """The R package an apt or conda spec installs (`r-cran-shiny`, `r-shiny`: `shiny`), else None."""
    prefix = R_PACKAGE_PREFIX.get(manager)
    match = SYSTEM_NAME.match(spec)
    name = match.group(0) if match else spec
    return name.removeprefix(prefix).lower() if prefix and name.startswith(prefix) else None


def installed_names(packages: Mapping[str, Sequence[str]], managers: Collection[str]) -> dict[str, tuple[str, ...]]:
    """What these specs install with those managers, by kind: Python distributions (pip's) and R packages."""
    r_names = (r_name(manager, spec) for manager in R_PACKAGE_PREFIX if manager in managers
               for spec in packages.get(manager, ()))
    return {
        "python": tuple(dict.fromkeys(requirement_name(spec) for spec in packages.get("pip", ()))),
        "r": tuple(dict.fromkeys(name for name in r_names if name is not None)),
    }


def package_versions(python_packages: Mapping[str, str], r_packages: Mapping[str, str]) -> dict[str, str]:
    """Every package placeholder's value, from what an image has installed (name -> version)."""
    versions = {placeholder("python", python_name(name)): version for name, version in python_packages.items()}
    versions.update({placeholder("r", name.lower()): version for name, version in r_packages.items()})
    return {name: version for name, version in versions.items() if version}


def tag_value(version: str) -> str:
    """A version as a tag may hold it: a local version's `+` (and anything else a tag refuses) becomes `_`."""
    return NOT_IN_A_TAG.sub("_", version)
