"""Pytest plugin: stateful fake APIs and a sync harness as fixtures (filled in by the sync work)."""
