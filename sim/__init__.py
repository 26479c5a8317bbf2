"""A deterministic model of a load-balanced cluster, for teaching stateless vs stateful services."""

__version__ = "0.1.0"
