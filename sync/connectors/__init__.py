"""Connectors: one declared REST client per system, chosen by `registry.connector_for`."""
