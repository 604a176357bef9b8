"""Pytest plugin of the QA checklist: the `checklist` marker, hypothesis profiles, JUnit properties."""
from __future__ import annotations


import pytest
from hypothesis import HealthCheck, settings

pytest.register_assert_rewrite("qa_checklist.checks")

# Each example builds fresh fakes through a function-scoped factory fixture: that is intended.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("ci", max_examples=4, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=40, print_blob=True, **_COMMON)
settings.load_profile("ci")  # `pytest --hypothesis-profile=dev` for the deeper run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "checklist(item_id, file, line): the checklist item of a dataflow document this test verifies",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("checklist")
    if marker is not None:
        # Test-management tools read these from JUnit XML.
        item.user_properties.append(("checklist_item", marker.args[0]))
        item.user_properties.append(("spec", f"{marker.kwargs.get('file')}:{marker.kwargs.get('line')}"))
