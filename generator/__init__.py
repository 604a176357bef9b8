"""Dataflow documents -> typed model -> generated pytest modules."""
