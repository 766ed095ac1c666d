"""Build, test and publish ContainDS Dashboards images from one matrix.yaml."""

__version__ = "0.1.0"
