"""How every singleuser image's servers reach the hub (images/layers/singleuser/containds_hub_client.py)."""

from __future__ import annotations

import json

import docker

APPLIES_TO = "base-notebook"
WITH_FRAMEWORK = "singleuser"  # the layer that installs it


# Runs the notebook servers' config file (as jupyterhub-singleuser does), then reports which resolver the client
# JupyterHub 6 reaches the hub with would use, and its cache setting.
HUB_CLIENT = """
import asyncio, json
import jupyterhub
exec(open("/usr/local/etc/jupyter/jupyter_server_config.py").read())
try:
    from jupyterhub.httpclient import JupyterHubHTTPClient
except ImportError:
    print(json.dumps({"jupyterhub": jupyterhub.__version__}))
    raise SystemExit
async def report():
    client = JupyterHubHTTPClient.loop_instance()
    connector = client._new_connector()
    return {"jupyterhub": jupyterhub.__version__, "resolver": type(connector._resolver).__name__,
            "dns_cache": connector.use_dns_cache}
print(json.dumps(asyncio.run(report())))
"""


def test_servers_reach_the_hub_with_the_system_resolver_uncached(docker_client: docker.DockerClient,
                                                                image: str) -> None:
    """On JupyterHub 6 (aiohttp with c-ares, answers kept for Docker's 600-second TTL) servers went on calling
    a replaced hub's old address; tests/hub/test_swarm.py shows the effect, this the setting in every image."""
    report = json.loads(docker_client.containers.run(image, ["-c", HUB_CLIENT], entrypoint=["python3"],
                                                      remove=True).decode().strip().splitlines()[-1])
    if int(report["jupyterhub"].split(".")[0]) < 6:
        assert "resolver" not in report  # JupyterHub 5 asks the system's resolver through tornado every time
    else:
        assert report["resolver"] == "ThreadedResolver" and report["dns_cache"] is False, report
