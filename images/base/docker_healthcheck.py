#!/usr/bin/env python3
"""Exit 0 when the Jupyter server started in this container answers on its /api endpoint.

The server's URL comes from its runtime file (jpserver-*.json) in the notebook user's runtime directory
(JUPYTER_RUNTIME_DIR when set), so this works for any port, base URL or HTTPS (GEN_CERT), including a
single-user server spawned by JupyterHub. The request goes straight to the server, never through
HTTP(S)_PROXY, and does not check the certificate (it is the container's own, often self-signed).
"""

import json
import os
import ssl
import sys
import urllib.request
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

# Docker runs the check as the image's user (root when NB_USER was changed): ask for the runtime directory
# of the notebook user, whose server it is.
os.environ["HOME"] = "/home/" + os.environ.get("NB_USER", "jovyan")

servers = sorted(Path(jupyter_runtime_dir()).glob("jpserver-*.json"), key=lambda p: p.stat().st_mtime)
if not servers:
    sys.exit(f"no running Jupyter server found (no jpserver-*.json in {jupyter_runtime_dir()})")
url = json.loads(servers[-1].read_text())["url"]
if not url.startswith(("http://", "https://")):
    print(f"the server listens on {url}, not on TCP: nothing to ask")
    sys.exit(0)
unverified = ssl.create_default_context()
unverified.check_hostname = False
unverified.verify_mode = ssl.CERT_NONE  # the server's own certificate, often self-signed (GEN_CERT)
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=unverified))
with opener.open(url.rstrip("/") + "/api", timeout=2) as response:
    sys.exit(0 if response.status == 200 else 1)
