"""A CycloneDX SBOM of a built image, made from its manifest (manifest.py): no second look inside the image.

Every Debian, Python and R package the manifest lists becomes a component with a package URL (purl), which is
what scanners match against their advisories; the image itself is the SBOM's subject (metadata.component). The
file is written beside the manifest, `<target>.cdx.json`, and `push` publishes it beside the image (registry.py).
cyclonedx-python-lib is imported only when an SBOM is made: importing it would double a no-op build's time.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.installed import python_name
from buildtool.layout import BuildDir
from buildtool.manifest import Manifest

if TYPE_CHECKING:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from packageurl import PackageURL

SCHEMA = "1.6"  # not the library's newest: the CycloneDX version current scanners read
MEDIA_TYPE = "application/vnd.cyclonedx+json"
# Serial numbers are derived from the manifest, so an unchanged image keeps its SBOM (file and serial) as it is.
SERIAL_NAMESPACE = uuid.UUID("5c0f2a0e-8d51-4a7e-9f0b-3d7e1c2b6a94")


def serial_number(manifest: Manifest) -> uuid.UUID:
    # vars(), not dataclasses.asdict: its deep copy would be most of the time an up-to-date image's check takes
    return uuid.uuid5(SERIAL_NAMESPACE, json.dumps([SCHEMA, vars(manifest)], sort_keys=True, default=dict))


def distro(os_name: str) -> tuple[str, str | None]:
    """The purl namespace and `distro` qualifier of an os-release PRETTY_NAME: `Debian GNU/Linux 12 (bookworm)`
    is ("debian", "debian-12"), `Ubuntu 24.04.1 LTS` (upstream stacks) ("ubuntu", "ubuntu-24.04"); a release
    without a number (testing, sid) gets no qualifier."""
    vendor = (os_name.split() or ["debian"])[0].lower()
    release = re.search(r"\b(\d+(?:\.\d+)?)", os_name)
    return vendor, f"{vendor}-{release.group(1)}" if release else None


def components(manifest: Manifest) -> list[Component]:
    """One component per package URL: names that pip spells differently (`Foo_Bar`, `foo-bar`) are one."""
    from cyclonedx.model.component import Component

    found: dict[str, Component] = {}
    for purl in _purls(manifest):
        key = purl.to_string()
        found.setdefault(key, Component(name=purl.name, version=purl.version, purl=purl, bom_ref=key))
    return list(found.values())


def _purls(manifest: Manifest) -> Iterator[PackageURL]:
    from packageurl import PackageURL

    vendor, release = distro(manifest.os)
    qualifiers = {"distro": release} if release else {}
    for name, version in sorted(manifest.os_packages.items()):
        yield PackageURL("deb", vendor, name, version or None, qualifiers)
    for name, version in sorted(manifest.python_packages.items()):
        yield PackageURL("pypi", None, python_name(name), version or None)  # purl's pypi names are PEP 503's
    for name, version in sorted(manifest.r_packages.items()):
        yield PackageURL("cran", None, name, version or None)  # R's names are case-sensitive: kept as they are


def make_bom(manifest: Manifest) -> Bom:
    """The SBOM of the image `manifest` describes, named by its first reference (repository, first tag)."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType

    if not manifest.references:
        raise ValueError(f"{manifest.target}: a manifest without references names no image")
    repository, tag = manifest.references[0].rsplit(":", 1)
    image = Component(
        name=repository, version=tag, type=ComponentType.CONTAINER, bom_ref=manifest.references[0],
        properties=[Property(name=FINGERPRINT_LABEL, value=manifest.fingerprint)],  # matches the image's label
    )
    vendor, release = distro(manifest.os)
    # The OS as a component of its own: scanners choose their advisory database (Debian's, Ubuntu's) by it.
    system = Component(name=vendor, version=(release or "").removeprefix(f"{vendor}-") or None,
                       type=ComponentType.OPERATING_SYSTEM, bom_ref=f"os:{vendor}", description=manifest.os)
    packages = [system, *components(manifest)]
    bom = Bom(components=packages, metadata=BomMetaData(component=image), serial_number=serial_number(manifest))
    bom.register_dependency(image, packages)  # all of it is installed in the image, none inside another
    return bom


def to_json(manifest: Manifest) -> str:
    from cyclonedx.output.json import BY_SCHEMA_VERSION
    from cyclonedx.schema import SchemaVersion

    return BY_SCHEMA_VERSION[SchemaVersion.from_version(SCHEMA)](make_bom(manifest)).output_as_string(indent=2) + "\n"


def ensure(build_dir: BuildDir, manifest: Manifest) -> Path:
    """Write the image's SBOM beside its manifest unless the one there is of this very manifest (its serial
    number says so): making it again for every up-to-date image would be most of a no-op build's time."""
    path = build_dir.sbom(manifest.target)
    try:
        current = json.loads(path.read_text(encoding="utf-8")).get("serialNumber")
    except (OSError, ValueError, AttributeError):
        current = None
    if current != serial_number(manifest).urn:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_json(manifest), encoding="utf-8")
    return path
