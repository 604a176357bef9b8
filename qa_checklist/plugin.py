"""Pytest plugin of the QA checklist: the `checklist` marker, hypothesis profiles, JUnit properties."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest.register_assert_rewrite("qa_checklist.checks.linked", "qa_checklist.checks.user_inputs",
                               "qa_checklist.checks.pair", "qa_checklist.checks.scenario",
                               "qa_checklist.checks.records")

from sync.testing import harnesses_of_this_test, system_under_test  # noqa: E402  (after the rewrite hook is registered)

from .report.build import build_report  # noqa: E402
from .report.exchange import exchange_text  # noqa: E402
from .report.failures import failure_facts  # noqa: E402
from .report.file import ReportWriteError, mark_running, write_report  # noqa: E402
from .report.history import compare, read_baseline  # noqa: E402
from .report.inputs import inputs_block  # noqa: E402
from .report.outcomes import TestOutcome  # noqa: E402
from .runners.incremental import Baseline, ChangedOnly  # noqa: E402
from .runners.runinfo import now, run_block  # noqa: E402
from .runners.shards import shard_of  # noqa: E402
from .runners.workqueue import SharedLastFailed, run_claimed  # noqa: E402
from .shared.manifest import MANIFEST, find_manifest  # noqa: E402


# Each example builds fresh fakes through a function-scoped factory fixture: that is intended.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# No `@reproduce_failure` blobs: they ask to edit a generated module. The ci profile is derandomized
# and dev keeps failing examples in hypothesis's database, so rerunning the test replays the failure.
settings.register_profile("ci", max_examples=4, derandomize=True, database=None, print_blob=False, **_COMMON)
settings.register_profile("dev", max_examples=40, print_blob=False, **_COMMON)
# benchmarks/mutation.py runs the suite once per mutant: fewer examples, the same derandomized choice.
settings.register_profile("mutation", max_examples=2, derandomize=True, database=None, **_COMMON)
settings.load_profile("ci")  # `pytest --hypothesis-profile=dev` for the deeper run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "checklist(item_id, file, line): the checklist item of a dataflow document this test verifies",
    )
    if config.getoption("qa_queue", None) and config.getoption("numprocesses", None):
        raise pytest.UsageError("--qa-queue runs this process as one of a group sharing the suite; "
                                "xdist's -n does the same with a controller: give one of them")
    if config.getoption("qa_queue", None):
        config.pluginmanager.register(SharedLastFailed(Path(config.getoption("qa_queue"))), "qa-checklist-lastfailed")
    path = config.getoption("qa_report", None)
    baseline = _baseline(config, path)
    if baseline is not None:
        config.pluginmanager.register(ChangedOnly(baseline), "qa-checklist-changed")
    if path and not hasattr(config, "workerinput"):  # xdist workers send their reports to the controller
        config.pluginmanager.register(ReportCollector(config, Path(path), baseline), "qa-checklist-report")
        from .runners.place import SaidWhere  # the run's last line: where its report went

        config.pluginmanager.register(SaidWhere(config, Path(path)), "qa-checklist-report-where")


def _baseline(config: pytest.Config, report: str | None) -> Baseline | None:
    if not config.getoption("qa_changed", False):
        return None
    path = config.getoption("qa_baseline", None) or (report and Path(report).with_suffix(".json"))
    if not path:
        raise pytest.UsageError("--qa-changed needs the previous report: --qa-baseline=PATH or --qa-report=PATH")
    return Baseline(config, Path(path).with_suffix(".json"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    queue = session.config.getoption("qa_queue", None)
    if not queue or session.config.option.collectonly:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        return None  # pytest's own loop stops the run on collection errors
    run_claimed(session, Path(queue))
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("checklist")
    if marker is not None:
        # Test-management tools read these from JUnit XML.
        item.user_properties.append(("checklist_item", marker.args[0]))
        item.user_properties.append(("spec", f"{marker.kwargs.get('file')}:{marker.kwargs.get('line')}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed and call.excinfo is not None and item.get_closest_marker("checklist") is not None:
        # Taken here, where the exception and the fakes still live; xdist carries the attribute to the controller.
        report.qa_failure = failure_facts(call.excinfo.value, exchange_text(harnesses_of_this_test()))
    return report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qa-checklist")
    group.addoption("--qa-report", metavar="PATH", default=None,
                    help="write the QA checklist report as HTML to PATH and as JSON beside it (PATH with .json)")
    group.addoption("--qa-baseline", metavar="PATH", default=None,
                    help="compare with this earlier report (its HTML or JSON path); default: the report being replaced")
    group.addoption("--qa-changed", action="store_true", default=False,
                    help="run only the sections whose document section or product code changed since the baseline "
                         "report (--qa-baseline), carrying the other items' results forward")
    group.addoption("--qa-queue", metavar="PATH", default=None,
                    help="take the suite's modules one at a time from the queue file PATH, shared with other "
                         "processes of the same suite and arguments (qa-checklist --workers starts them)")


class ReportCollector:
    """Gathers outcomes by checklist item; on the controlling process only, under xdist too."""

    def __init__(self, config: pytest.Config, path: Path, changed: Baseline | None = None):
        self.config = config
        self.path = path
        self.changed = changed
        self.outcomes: dict[str, TestOutcome] = {}
        self.manifests: set[Path] = set()
        self._modules_seen: set[str] = set()
        self.started_at = now()
        self.clock = time.perf_counter()
        chosen = config.getoption("qa_baseline", None)
        self.baseline_path = Path(chosen) if chosen else path
        self.baseline, self.baseline_warning = read_baseline(self.baseline_path)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.baseline_warning:
            session.config.get_terminal_writer().line(f"qa-checklist: warning: {self.baseline_warning}")
        mark_running(self.path, self.started_at)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        item_id = properties.get("checklist_item")
        if item_id is None:
            return
        outcome = self.outcomes.get(report.nodeid)
        if outcome is None:
            outcome = self.outcomes[report.nodeid] = TestOutcome(report.nodeid, item_id)
            module = report.location[0]
            if module not in self._modules_seen:  # looked up once a module: it resolves the path on disk
                self._modules_seen.add(module)
                manifest = find_manifest(self.config.rootpath / module)
                if manifest is not None:
                    self.manifests.add(manifest)
        outcome.add(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for argument in self.config.args:
            candidate = Path(argument.split("::")[0]) / MANIFEST
            if candidate.is_file():
                self.manifests.add(candidate.resolve())
        run = run_block(self.config, self.started_at, time.perf_counter() - self.clock, exitstatus)
        # which sync implementation the items judged, with what it offers, and how it reached the fakes
        run["sut"] = system_under_test(self.config)
        report = build_report(self.manifests, self.outcomes.values(), run)
        report["history"] = compare(self.baseline, report, str(self.baseline_path)) if self.baseline else None
        report["shard"] = shard_of(self.config)
        report["inputs"] = inputs_block(self.config, self.manifests, self.started_at)
        if self.changed is not None:
            self.changed.carry_into(report, self.manifests)
        try:
            write_report(self.path, report)
        except ReportWriteError as error:
            # One line, not pytest's INTERNALERROR traceback; the exit status says the run has no report.
            session.config.get_terminal_writer().line(f"qa-checklist: {error}", red=True)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
