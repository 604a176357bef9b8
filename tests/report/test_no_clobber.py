"""Runs never clobber each other's reports (issue 28, item 2), and every run says where its report went (item 4)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa_checklist.runners.place import DEFAULT_REPORT, leaves_out, place_report

from .test_plugin import suite  # noqa: F401  (the fixture)


def test_the_arguments_that_leave_items_out():
    assert leaves_out(["-k", "contact"]) == "-k contact"
    assert leaves_out(["-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile", "--vocabulary=v.toml"]) is None
    assert leaves_out(["--lf"]) == "--lf" and leaves_out(["-kcontact"]) == "-k contact"
    assert leaves_out(["-m", "not slow", "-x"]) == "-m not slow, -x"
    assert leaves_out(["generated_tests/acme/test_a_to_b.py::test_sync"]) == "generated_tests/acme/test_a_to_b.py::test_sync"
    assert leaves_out(["--splits", "3", "--group=2"]) == "--splits 3, --group 2"


def test_a_run_over_other_specs_or_leaving_items_out_gets_its_own_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs" / "examples").mkdir(parents=True)
    said = []
    assert place_report(Path("specs"), None, None, ["-q"], said.append) == (DEFAULT_REPORT, ["-q"]) and not said
    report, args = place_report(Path("specs/examples"), None, None, ["-q"], said.append)
    assert report.parent.parent == Path(".cache/qa-checklist") and report.parent.name.endswith("-report")
    assert report.name == "qa-checklist.html" and "goes beside its suite" in said[-1]
    report, args = place_report(Path("specs"), None, None, ["-k", "contact"], said.append)
    assert report == Path("report/qa-checklist.partial.html") and args == ["-k", "contact"]  # no full report yet
    assert "leaves items out (-k contact)" in said[-1] and "report/qa-checklist.html stays" in said[-1]
    DEFAULT_REPORT.parent.mkdir()
    DEFAULT_REPORT.with_suffix(".json").write_text("{}")
    report, args = place_report(Path("specs"), None, None, ["-k", "contact"], said.append)
    assert args == ["--qa-baseline=report/qa-checklist.html", "-k", "contact"]  # history compares with the full run
    assert place_report(Path("specs"), None, Path("mine.html"), ["-k", "x"], said.append) == (Path("mine.html"), ["-k", "x"])


def pytest_run(suite, report, *extra):  # noqa: F811
    done = subprocess.run([sys.executable, "-m", "pytest", str(suite), f"--qa-report={report}", "-p", "no:cacheprovider",
                           "-p", "no:schemathesis", "-q", *extra], cwd=suite.parent, capture_output=True, text=True)
    return done, json.loads(report.with_suffix(".json").read_text())


@pytest.mark.slow  # suites run in pytest subprocesses, several times
def test_pytest_says_where_the_report_went_and_a_partial_run_says_so(suite, tmp_path):  # noqa: F811
    report = tmp_path / "r" / "qa.html"
    done, data = pytest_run(suite, report)
    assert data["run"]["partial"] is None
    assert f"\nQA checklist report: {report} (JSON: {report.with_suffix('.json')})\n" in done.stdout
    done, data = pytest_run(suite, report, "-k", "sync or property")
    assert data["run"]["partial"] == "-k sync or property"
    assert f"QA checklist report (partial: -k sync or property): {report}" in done.stdout
    assert "<b>Partial run.</b> It left items out (-k sync or property)" in report.read_text()
