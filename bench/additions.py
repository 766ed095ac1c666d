"""Benchmark: what each tool the local stacks carry for Jupyter Docker Stacks parity costs on disk.

    python bench/additions.py   (needs the local stacks: python -m buildtool --stacks local build stacks)

Each group is installed, on its own, into a throwaway container of the stack image below the one that carries
it (apt with the image's own sources, pip with the host's CA bundle mounted for PyPI), and the container's
writable layer is measured (`docker container inspect --size`). A group marked "with its stack's others" is
measured as the difference between installing the stack's whole list for that manager with and without it
(nbclassic: its parent, foundation, has no Jupyter, which base-notebook's other packages bring). Groups overlap
in dependencies (TeX and cm-super share ghostscript, for example), so the last row installs them together: that
is what the stack pays.
Package names and pins are read from matrix.yaml; a group naming a package the matrix no longer has fails.
Results: bench/results-additions.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from common import PROJECT_DIR, header, mb

from buildtool.engine import find_ca_bundle
from buildtool.graph import build_graph
from buildtool.matrix import load_matrix
from buildtool.tags import primary_ref

RESULTS = Path(__file__).with_name("results-additions.md")
# (stack that carries it, what it is for, manager, package names as matrix.yaml lists them, measured with the
# stack's other packages of that manager)
GROUPS = [
    ("base-notebook", "GEN_CERT (openssl)", "apt", ["openssl"], False),
    ("base-notebook", "DOCKER_STACKS_JUPYTER_CMD=nbclassic", "pip", ["nbclassic"], True),
    ("scipy-notebook", "pandoc (nbconvert, R Markdown; also in r-notebook)", "apt", ["pandoc"], False),
    ("scipy-notebook", "TeX for nbconvert --to pdf", "apt",
     ["texlive-xetex", "texlive-fonts-recommended", "texlive-plain-generic"], False),
    ("scipy-notebook", "matplotlib usetex (cm-super, dvipng)", "apt", ["cm-super", "dvipng"], False),
    ("scipy-notebook", "a C compiler for cython (gcc, python3-dev)", "apt", ["gcc", "python3-dev"], False),
    ("scipy-notebook", "cython", "pip", ["cython"], False),
    ("scipy-notebook", "JupyterLab git extension", "pip", ["jupyterlab-git"], False),
]


def main() -> None:
    matrix = load_matrix(PROJECT_DIR / "matrix.yaml")
    graph = build_graph(matrix, "local")
    rows = [
        *header("What the Jupyter Docker Stacks tools cost in the local stacks", "python bench/additions.py"),
        "| carried by | for | packages | installed on | adds |",
        "|---|---|---|---|---|",
    ]
    together: dict[str, list[str]] = {}
    for stack, purpose, manager, names, with_others in GROUPS:
        listed = matrix.stacks[stack].packages.get(manager, ())
        specs = [_spec(listed, name, stack) for name in names]
        below = graph.targets[stack].parent
        image = primary_ref(matrix, graph.targets[below])
        if with_others:
            others = [spec for spec in listed if spec not in specs]
            size = added_bytes(image, manager, [*others, *specs]) - added_bytes(image, manager, others)
            below += f" with {stack}'s other {manager} packages"
        else:
            size = added_bytes(image, manager, specs)
        together.setdefault(f"{stack} {manager}", []).extend(specs)
        rows.append(f"| {stack} | {purpose} | {', '.join(specs)} | {below} | {mb(size)} |")
    scipy_below = graph.targets["scipy-notebook"].parent
    all_apt = together["scipy-notebook apt"]
    rows.append(f"| scipy-notebook | **all of its apt additions together** | {len(all_apt)} packages | {scipy_below} "
                f"| **{mb(added_bytes(primary_ref(matrix, graph.targets[scipy_below]), 'apt', all_apt))}** |")
    rows += ["", "R's plot mimetypes (one line in /etc/R/Rprofile.site) cost nothing measurable."]
    RESULTS.write_text("\n".join(rows) + "\n")
    print(RESULTS.read_text())


def _spec(specs: tuple[str, ...], name: str, stack: str) -> str:
    for spec in specs:
        if spec == name or spec.startswith((f"{name}=", f"{name}<", f"{name}>")):
            return spec
    sys.exit(f"matrix.yaml: stacks.{stack} no longer installs {name}: update bench/additions.py")


def added_bytes(image: str, manager: str, specs: list[str]) -> int:
    """Bytes `specs` add when installed into a container of `image`."""
    name = f"bench-additions-{uuid.uuid4().hex[:8]}"
    quoted = " ".join(f"'{spec}'" for spec in specs)
    if manager == "apt":
        script = ("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends "
                  f"{quoted} >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*")
        mounts: list[str] = []
    else:
        script = f"PIP_CERT=/run/cacert pip install --quiet --no-cache-dir --disable-pip-version-check {quoted}"
        mounts = ["--volume", f"{find_ca_bundle(None)}:/run/cacert:ro"]
    run = subprocess.run(["docker", "run", "--name", name, "--user", "root", "--entrypoint", "bash", *mounts, image,
                          "-c", script], capture_output=True, text=True)
    try:
        if run.returncode != 0:
            sys.exit(f"installing {quoted} on {image} failed:\n{run.stderr[-2000:]}")
        inspect = subprocess.run(["docker", "container", "inspect", "--size", name], capture_output=True, text=True,
                                 check=True)
        return int(json.loads(inspect.stdout)[0]["SizeRw"])
    finally:
        subprocess.run(["docker", "rm", "--force", name], capture_output=True)


if __name__ == "__main__":
    main()
