"""Server defaults for containers, and the start-up options Jupyter Docker Stacks documents.

- listen on every interface, IPv4 and IPv6, at JUPYTER_PORT; never open a browser;
- GEN_CERT: serve HTTPS with a self-signed certificate made at first start (kept in the user's Jupyter data
  directory);
- NB_UMASK: the umask of the server and of everything it starts (kernels, terminals), e.g. 002.
"""

import os
import stat
import subprocess
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)
c.ServerApp.ip = ""  # every interface, both address families
c.ServerApp.port = int(os.environ.get("JUPYTER_PORT", "8888"))
c.ServerApp.open_browser = False
c.FileContentsManager.delete_to_trash = False  # no ~/.local/share/Trash filling a user's volume unseen

if "GEN_CERT" in os.environ:
    certificate = Path(jupyter_data_dir()) / "notebook.pem"
    if not certificate.exists():
        certificate.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-new", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "365",
             "-subj", "/O=generated/CN=generated", "-keyout", str(certificate), "-out", str(certificate)],
            check=True, capture_output=True,
        )
        certificate.chmod(stat.S_IRUSR | stat.S_IWUSR)
    c.ServerApp.certfile = str(certificate)

if "NB_UMASK" in os.environ:
    os.umask(int(os.environ["NB_UMASK"], 8))
