"""JupyterHub configuration of the containds-hub image: everything comes from the CDS_* variables (hub/README.md)
through the hub's package, which stops the hub with one line per problem when a setting cannot work."""

import containds_hub

containds_hub.configure_image(c)  # noqa: F821 (c is provided by JupyterHub when it loads this file)
