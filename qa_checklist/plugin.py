"""Pytest plugin of the QA checklist: the `checklist` marker, hypothesis profiles, JUnit properties."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest.register_assert_rewrite("qa_checklist.checks", "qa_checklist.scenario")

from .html import render_html  # noqa: E402  (after the rewrite hook is registered)
from .manifest import MANIFEST, find_manifest  # noqa: E402
from .outcomes import TestOutcome  # noqa: E402
from .report import build_report  # noqa: E402


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
    path = config.getoption("qa_report", None)
    if path and not hasattr(config, "workerinput"):  # xdist workers send their reports to the controller
        config.pluginmanager.register(ReportCollector(config, Path(path)), "qa-checklist-report")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("checklist")
    if marker is not None:
        # Test-management tools read these from JUnit XML.
        item.user_properties.append(("checklist_item", marker.args[0]))
        item.user_properties.append(("spec", f"{marker.kwargs.get('file')}:{marker.kwargs.get('line')}"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qa-checklist")
    group.addoption("--qa-report", metavar="PATH", default=None,
                    help="write the QA checklist report as HTML to PATH and as JSON beside it (PATH with .json)")


class ReportCollector:
    """Gathers outcomes by checklist item; on the controlling process only, under xdist too."""

    def __init__(self, config: pytest.Config, path: Path):
        self.config = config
        self.path = path
        self.outcomes: dict[str, TestOutcome] = {}
        self.manifests: set[Path] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        item_id = properties.get("checklist_item")
        if item_id is None:
            return
        outcome = self.outcomes.get(report.nodeid)
        if outcome is None:
            outcome = self.outcomes[report.nodeid] = TestOutcome(report.nodeid, item_id)
            manifest = find_manifest(self.config.rootpath / report.location[0])
            if manifest is not None:
                self.manifests.add(manifest)
        outcome.add(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for argument in self.config.args:
            candidate = Path(argument.split("::")[0]) / MANIFEST
            if candidate.is_file():
                self.manifests.add(candidate.resolve())
        report = build_report(self.manifests, self.outcomes.values())
        write_report(self.path, report)


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path = path.with_suffix(".json")
    for target, text in ((path, render_html(report)),
                         (json_path, json.dumps(report, indent=1, ensure_ascii=False) + "\n")):
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)

