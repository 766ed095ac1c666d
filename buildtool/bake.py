"""The build graph as a `docker buildx bake` file: a target per image, parents linked through `contexts`.

For people with buildx and their own (remote) BuildKit: render the contexts with `python -m buildtool render
all`, then `docker buildx bake -f docker-bake.json`. Only tags known before the build are listed (no commit or
date tags, nor the python and framework tags read from the built image), so the file changes only when the matrix
or a template does.
"""

from __future__ import annotations

from typing import Any

from buildtool.buildinfo import BuildInfo
from buildtool.graph import BAKE_GROUPS, Graph
from buildtool.labels import static_labels
from buildtool.render import Rendered
from buildtool.tags import all_refs, primary_ref, repository

CA_VARIABLE = "CA_BUNDLE"


def bake_definition(graph: Graph, rendered: dict[str, Rendered], contexts_dir: str,
                    platforms: list[str]) -> dict[str, Any]:
    matrix = graph.matrix
    targets: dict[str, Any] = {}
    static = BuildInfo(git_sha=None, build_date="")  # tags needing the commit or the date are left out
    for name, item in rendered.items():
        target = item.target
        spec: dict[str, Any] = {
            "context": f"{contexts_dir}/{name}",
            "dockerfile": "Dockerfile",
            "tags": list(all_refs(graph, target, static)),
            "platforms": platforms,  # several (`--platform all`): one index per tag, with a builder that can
            "labels": static_labels(matrix, target, item.fingerprint),
            "secret": [f"id=cacert,src=${{{CA_VARIABLE}}}"],
            "cache-from": [f"type=registry,ref={repository(matrix, name)}:buildcache"],
            "cache-to": [f"type=registry,ref={repository(matrix, name)}:buildcache,mode=max"],
        }
        parent = graph.targets[target.parent] if target.parent else None
        if parent is not None and parent.name in rendered:
            # The parent's FROM reference is served by the parent target: bake builds them in order.
            spec["contexts"] = {primary_ref(matrix, parent): f"target:{parent.name}"}
        targets[name] = spec
    groups: dict[str, dict[str, list[str]]] = {"default": {"targets": list(targets)}}
    for group in BAKE_GROUPS:
        names = [name for name, item in rendered.items() if item.target.bake_group == group]
        if names:
            groups[group] = {"targets": names}
    return {
        "variable": {CA_VARIABLE: {"default": "/etc/ssl/certs/ca-certificates.crt"}},
        "group": groups,
        "target": targets,
    }
