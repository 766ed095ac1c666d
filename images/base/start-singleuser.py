#!/usr/bin/env python3
"""Start jupyterhub-singleuser, the server JupyterHub spawns, with NOTEBOOK_ARGS and the given arguments."""

import os
import shlex
import sys

command = ["jupyterhub-singleuser", *shlex.split(os.environ.get("NOTEBOOK_ARGS", "")), *sys.argv[1:]]
print("Executing:", shlex.join(command), file=sys.stderr, flush=True)
os.execvp(command[0], command)
