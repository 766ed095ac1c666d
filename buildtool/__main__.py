"""Entry point for `python -m buildtool`."""

import sys

from buildtool.cli import main

sys.exit(main())
