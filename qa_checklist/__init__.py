"""Runs the generated QA suite as a checklist: the checks its modules call, the pytest plugin and the report."""
