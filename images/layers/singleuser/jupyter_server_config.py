# Notebook servers (jupyterhub-singleuser) reach the hub as dashboard servers do (containds_hub_client.py).
# Installed in /usr/local/etc/jupyter: the stack's own /etc/jupyter/jupyter_server_config.py is loaded as well.
import containds_hub_client

containds_hub_client.resolve_the_hub_afresh()
