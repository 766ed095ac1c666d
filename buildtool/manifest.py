"""What is inside a built image (OS, Python and R packages, framework versions), read by running it once.

The result is written as JSON and markdown under BUILD_DIR/manifests/ and gives the values of tags that only
the image knows: `python`, and each installed package's version (`python:voila`, `r:shiny`: installed.py), which
the frameworks' tags read. It is reused while the image's fingerprint is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from buildtool import engine, installed
from buildtool.fingerprint import FINGERPRINT_LABEL
from buildtool.graph import Graph, Target
from buildtool.layout import BuildDir

# Runs inside the image with its own python3; prints one JSON document. Tools an image lacks are skipped.
PROBE = r"""
import json, platform, shutil, subprocess, sys

def run(*command):
    result = subprocess.run(command, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""

def table(text):
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)

pip = run(sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check")
r_script = ('ip <- installed.packages()[, c("Package", "Version")]; '
            'write.table(ip, sep = "\\t", quote = FALSE, row.names = FALSE, col.names = FALSE)')  # R's escape
print(json.dumps({
    "python": "%d.%d" % sys.version_info[:2],
    "python_version": platform.python_version(),
    "os": dict(line.split("=", 1) for line in open("/etc/os-release").read().splitlines() if "=" in line)
          .get("PRETTY_NAME", "").strip('"'),
    "python_packages": {p["name"].lower(): p["version"] for p in json.loads(pip or "[]")},
    "os_packages": table(run("dpkg-query", "-W", "-f", "${Package}\t${Version}\n")) if shutil.which("dpkg") else {},
    "r_packages": table(run("Rscript", "-e", r_script)) if shutil.which("Rscript") else {},
}))
"""


@dataclass(frozen=True)
class Manifest:
    target: str
    fingerprint: str
    references: tuple[str, ...]
    python: str
    python_version: str
    os: str
    frameworks: Mapping[str, Mapping[str, str]]  # framework -> package -> installed version
    python_packages: Mapping[str, str]
    r_packages: Mapping[str, str]
    os_packages: Mapping[str, str]

    def image_values(self) -> dict[str, str]:
        """Tag values only the image knows: its Python, and the version of every package it has installed."""
        values = {**installed.package_versions(self.python_packages, self.r_packages), "python": self.python}
        return {name: installed.tag_value(value) for name, value in values.items() if value}


def of_image(graph: Graph, target: Target, ref: str, build_dir: BuildDir) -> Manifest | None:
    """The manifest of the image's fingerprint, else read by running the image; None for a target without python3.
    One read by running has no references: they are made from what it finds (tags.all_refs)."""
    if not target.has_python:
        return None
    state = engine.image_state(ref)
    fingerprint = state.labels.get(FINGERPRINT_LABEL, "") if state else ""
    return load_cached(build_dir, target.name, fingerprint) or collect(graph, target, ref, fingerprint)


def image_values(graph: Graph, target: Target, ref: str, build_dir: BuildDir) -> dict[str, str]:
    """Tag values only the image knows, from the manifest of the image's fingerprint, else by running it."""
    found = of_image(graph, target, ref, build_dir)
    return found.image_values() if found else {}


def load_cached(build_dir: BuildDir, target: str, fingerprint: str) -> Manifest | None:
    path = build_dir.manifest(target)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("fingerprint") != fingerprint:
        return None
    data["references"] = tuple(data["references"])
    return Manifest(**data)


def collect(graph: Graph, target: Target, ref: str, fingerprint: str) -> Manifest:
    """Run the image once to read what it contains."""
    facts = json.loads(engine.run_output(ref, ["python3", "-c", PROBE]))
    python_packages = {name.replace("_", "-"): version for name, version in facts["python_packages"].items()}
    found = installed.package_versions(python_packages, facts["r_packages"])
    frameworks = {}
    for name in graph.frameworks(target.name):
        # Its packages as the managers this image used name them, with what the image has of each.
        names = installed.installed_names(graph.matrix.frameworks[name].packages, graph.source.managers)
        versions = {pkg: found.get(installed.placeholder("python", pkg), "missing") for pkg in names["python"]}
        versions.update({f"{pkg} (R)": found.get(installed.placeholder("r", pkg), "missing") for pkg in names["r"]})
        frameworks[name] = versions
    return Manifest(
        target=target.name, fingerprint=fingerprint, references=(), python=facts["python"],
        python_version=facts["python_version"], os=facts["os"], frameworks=frameworks,
        python_packages=python_packages, r_packages=facts["r_packages"], os_packages=facts["os_packages"],
    )


def write(build_dir: BuildDir, manifest: Manifest) -> tuple[Path, Path]:
    """Write the JSON (machine-readable, also the cache) and the markdown (for people) side by side."""
    json_path = build_dir.manifest(manifest.target)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    md_path = json_path.with_suffix(".md")
    md_path.write_text(markdown(manifest), encoding="utf-8")
    return json_path, md_path


def markdown(manifest: Manifest) -> str:
    lines = [f"# {manifest.target}", "", f"- OS: {manifest.os}", f"- Python: {manifest.python_version}"]
    lines += [f"- Image: `{ref}`" for ref in manifest.references]
    if manifest.frameworks:
        lines += ["", "## Frameworks", "", "| framework | package | version |", "|---|---|---|"]
        for framework, packages in manifest.frameworks.items():
            lines += [f"| {framework} | {pkg} | {version} |" for pkg, version in packages.items()]
    for title, packages in (("Python packages", manifest.python_packages), ("R packages", manifest.r_packages),
                            ("OS packages", manifest.os_packages)):
        if packages:
            lines += ["", f"## {title} ({len(packages)})", "", "| package | version |", "|---|---|"]
            lines += [f"| {name} | {version} |" for name, version in sorted(packages.items())]
    return "\n".join(lines) + "\n"
