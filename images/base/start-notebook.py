#!/usr/bin/env python3
"""Start JupyterLab (DOCKER_STACKS_JUPYTER_CMD picks another `jupyter` subcommand: notebook, nbclassic, server).

Under JupyterHub (JUPYTERHUB_API_TOKEN set) it starts the single-user server instead. RESTARTABLE=yes keeps
the server running: it is started again whenever it exits (run-one-constantly). NOTEBOOK_ARGS and the
command-line arguments are passed on.
"""

import os
import shlex
import sys

if "JUPYTERHUB_API_TOKEN" in os.environ:
    print("WARNING: using start-singleuser.py instead of start-notebook.py to start a server associated with "
          "JupyterHub.", file=sys.stderr, flush=True)
    os.execvp("start-singleuser.py", ["start-singleuser.py", *sys.argv[1:]])

command = ["run-one-constantly"] if os.environ.get("RESTARTABLE") == "yes" else []
command += ["jupyter", os.environ.get("DOCKER_STACKS_JUPYTER_CMD", "lab")]
command += shlex.split(os.environ.get("NOTEBOOK_ARGS", ""))
command += sys.argv[1:]
print("Executing:", shlex.join(command), file=sys.stderr, flush=True)
os.execvp(command[0], command)
