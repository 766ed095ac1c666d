"""How a server's processes reach the hub on JupyterHub 6: with the system's resolver, without a cache.

JupyterHub 6 talks to the hub through aiohttp, which resolves names with c-ares when aiodns is installed (JupyterHub
6 requires it) and keeps c-ares' answers for their TTL: Docker's DNS gives 600 s. When the hub's address changes (on
Swarm `docker service update` gives the hub a new task, with a new address), notebook and dashboard servers went on
connecting to the old address for minutes, and every login to a dashboard hung. Measured from a server during a hub
update (tests/hub/test_swarm.py does the same through the dashboards): with c-ares, connection timeouts for 40 s and
more; with the system's resolver, no aiohttp cache and a 10-second connect timeout, refusals for 3 s while the hub
restarts, then answers.

JupyterHub 5 talks to the hub through tornado, which asks the system's resolver every time: nothing to change.
"""


def resolve_the_hub_afresh() -> None:
    try:
        import aiohttp
        import aiohttp.connector
        from jupyterhub.httpclient import JupyterHubHTTPClient  # JupyterHub >= 6
    except ImportError:
        return
    # aiohttp picks its resolver when a connector is made: every connector of this process asks getaddrinfo.
    aiohttp.connector.DefaultResolver = aiohttp.ThreadedResolver
    JupyterHubHTTPClient.connector_options.default_value = {"use_dns_cache": False}
    JupyterHubHTTPClient.session_options.default_value = {"timeout": aiohttp.ClientTimeout(total=300, connect=10)}
