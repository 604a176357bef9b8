"""The --qa-report plugin: outcomes by checklist item, serial and under xdist, HTML and JSON."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MANIFEST = {
    "spec_prefix": "specs/",
    "documents": [{
        "file": "acme-acme.rst", "title": "Acme <script>alert(1)</script> to Acme Dataflow", "sha256": "0" * 64,
        "source_system": "Acme", "target_system": "Acme",
        "findings": [{"file": "acme-acme.rst", "line": 20, "severity": "warning", "code": "na-type",
                      "message": "<b>N/A</b> type"}],
        "mappings": [{
            "id": "acme-acme/a-to-b", "title": "Acme A to Acme B", "line": 12, "module": "acme/test_a_to_b.py",
            "source": "Acme A", "target": "Acme B",
            "items": [
                {"id": "acme-acme/a-to-b/sync", "kind": "sync", "label": "Every A <img src=x>", "line": 14},
                {"id": "acme-acme/a-to-b/merge-or-create", "kind": "merge-or-create", "label": "merge", "line": 15},
                {"id": "acme-acme/a-to-b/bidirectional", "kind": "bidirectional", "label": "both ways", "line": 16},
                {"id": "acme-acme/a-to-b/property/x-to-y", "kind": "property", "label": "x -> y (string)", "line": 20},
                {"id": "acme-acme/a-to-b/property/p-to-q", "kind": "property", "label": "p -> q (integer)", "line": 23},
                {"id": "acme-acme/a-to-b/properties", "kind": "properties", "label": "empty", "line": 25},
                {"id": "acme-acme/a-to-b/no-echo", "kind": "no-echo", "label": "no echo", "line": 14},
                {"id": "acme-acme/a-to-b/conflict", "kind": "conflict", "label": "never tested", "line": 16},
            ],
        }],
    }],
}

MODULE = '''
import pytest
from hypothesis import given, strategies as st

from qa_checklist.shared.causes import CausedBy

@pytest.fixture
def broken():
    raise RuntimeError("fake API unreachable")

@pytest.mark.checklist("acme-acme/a-to-b/sync", file="acme-acme.rst", line=14)
def test_sync():
    assert 1 + 1 == 2

@pytest.mark.checklist("acme-acme/a-to-b/merge-or-create", file="acme-acme.rst", line=15)
def test_merge_or_create():
    raise CausedBy("acme-acme/a-to-b/property/p-to-q", 'p -> q: expected integer 1, the API holds text "1"')

@pytest.mark.checklist("acme-acme/a-to-b/bidirectional", file="acme-acme.rst", line=16)
def test_bidirectional():
    assert object() is None

@pytest.mark.checklist("acme-acme/a-to-b/property/x-to-y", file="acme-acme.rst", line=20)
def test_property_x_to_y():
    assert "Oslo" == "Bergen", "the target holds the wrong city"

@pytest.mark.checklist("acme-acme/a-to-b/property/p-to-q", file="acme-acme.rst", line=23)
@given(st.integers())
def test_property_p_to_q(value):
    assert value != 0

@pytest.mark.checklist("acme-acme/a-to-b/properties", file="acme-acme.rst", line=25)
def test_properties():
    pytest.skip("nothing to verify: the table lists no rows")

@pytest.mark.checklist("acme-acme/a-to-b/no-echo", file="acme-acme.rst", line=14)
def test_no_echo(broken):
    pass
'''


@pytest.fixture
def suite(tmp_path):
    folder = tmp_path / "suite"
    (folder / "acme").mkdir(parents=True)
    (folder / "checklist.json").write_text(json.dumps(MANIFEST))
    (folder / "__init__.py").write_text("")
    (folder / "acme" / "__init__.py").write_text("")
    (folder / "acme" / "test_a_to_b.py").write_text(textwrap.dedent(MODULE))
    return folder


def run(suite: Path, report: Path, *extra: str) -> dict:
    # As qa-checklist runs it: without Schemathesis' plugin, which blanks hypothesis's failing examples.
    subprocess.run([sys.executable, "-m", "pytest", str(suite), f"--qa-report={report}", "-p", "no:cacheprovider",
                    "-p", "no:schemathesis", "-q", *extra], cwd=suite.parent, capture_output=True, text=True)
    return json.loads(report.with_suffix(".json").read_text())


def items(report: dict) -> dict:
    return {i["id"].removeprefix("acme-acme/a-to-b/"): i for d in report["dataflows"] for m in d["mappings"]
            for i in m["items"]}


def test_each_item_gets_the_final_outcome_of_its_tests(suite, tmp_path):
    report = run(suite, tmp_path / "r" / "qa.html", f"--junitxml={tmp_path / 'junit.xml'}")
    assert report["summary"] == {"items": 8, "passed": 1, "failed": 5, "skipped": 1, "not_testable": 1, "causes": 4, "vendor_findings": 0}
    got = items(report)
    assert {k: v["status"] for k, v in got.items()} == {
        "sync": "passed", "merge-or-create": "failed", "bidirectional": "failed", "property/x-to-y": "failed",
        "property/p-to-q": "failed", "properties": "skipped", "no-echo": "failed", "conflict": "not_testable"}
    assert got["property/x-to-y"]["message"] == "the target holds the wrong city"  # the check's own words first
    assert "assert 'Oslo' == 'Bergen'" in got["property/x-to-y"]["details"]  # pytest's text behind the toggle
    assert got["property/x-to-y"]["rerun"].startswith("pytest ") and "test_property_x_to_y" in got["property/x-to-y"]["rerun"]
    assert "value=0" in got["property/p-to-q"]["reproduce"]  # hypothesis's failing example
    assert "@reproduce_failure" not in json.dumps(report)  # never "edit the generated module"
    assert got["no-echo"]["message"].startswith("error in setup: RuntimeError: fake API unreachable")
    assert " at 0x" not in got["bidirectional"]["message"] + got["bidirectional"]["details"]
    assert got["properties"]["message"] == "nothing to verify: the table lists no rows"
    assert (got["sync"]["file"], got["sync"]["line"]) == ("specs/acme-acme.rst", 14)
    assert got["sync"]["duration_s"] >= 0 and got["no-echo"]["derived"] and not got["sync"]["derived"]
    assert report["dataflows"][0]["mappings"][0]["findings"][0]["code"] == "na-type"
    junit = (tmp_path / "junit.xml").read_text()
    assert 'name="checklist_item" value="acme-acme/a-to-b/property/x-to-y"' in junit


def test_a_failure_naming_its_cause_is_grouped_under_it(suite, tmp_path):
    got = items(run(suite, tmp_path / "qa.html"))
    assert got["merge-or-create"]["cause"] == got["merge-or-create"]["grouped_under"] == "acme-acme/a-to-b/property/p-to-q"
    assert got["property/p-to-q"]["grouped"] == ["acme-acme/a-to-b/merge-or-create"]
    assert got["property/p-to-q"]["grouped_under"] is None and got["property/x-to-y"]["grouped"] == []
    html = (tmp_path / "qa.html").read_text()
    assert "1 other item failed for this cause" in html and "Failed for the same cause as" in html


def test_the_run_block_names_the_run(suite, tmp_path):
    run_block = run(suite, tmp_path / "qa.html", "-k", "not property")["run"]
    assert set(run_block) >= {"started_at", "duration_s", "commit", "pytest_args", "hypothesis_profile", "api_faults",
                              "python", "platform"}
    assert run_block["pytest_args"][-2:] == ["-k", "not property"] and run_block["hypothesis_profile"] == "ci"
    assert run_block["api_faults"] == 0.0 and run_block["stale"] is None and run_block["duration_s"] >= 0
    assert run_block["commit"] is None  # tmp_path is no git checkout
    assert run_block["sut"] == {"name": "sync engine (in process)", "transport": "mock", "capabilities": [
        "links.read", "pass", "report.json", "state.internal", "state.seed"]}  # which system the items judged


@pytest.mark.slow  # suites run in pytest subprocesses, twice
def test_history_compares_with_the_previous_report(suite, tmp_path):
    report_path = tmp_path / "qa.html"
    first = run(suite, report_path)
    assert first["history"] is None
    module = suite / "acme" / "test_a_to_b.py"
    module.write_text(module.read_text().replace('"Oslo" == "Bergen"', '"Oslo" == "Oslo"')
                      .replace("assert 1 + 1 == 2", "assert 1 + 1 == 3"))
    manifest = json.loads((suite / "checklist.json").read_text())
    manifest["documents"][0]["mappings"][0]["items"][-1]["id"] = "acme-acme/a-to-b/optimistic-locking"
    (suite / "checklist.json").write_text(json.dumps(manifest))
    history = run(suite, report_path)["history"]
    assert history["baseline"]["path"] == str(report_path) and history["baseline"]["started_at"]
    assert [(e["id"], e["before"], e["after"]) for e in history["newly_failing"]] == [
        ("acme-acme/a-to-b/sync", "passed", "failed")]
    assert [(e["id"], e["before"], e["after"]) for e in history["fixed"]] == [
        ("acme-acme/a-to-b/property/x-to-y", "failed", "passed")]
    assert [e["id"] for e in history["new"]] == ["acme-acme/a-to-b/optimistic-locking"]
    assert [(e["id"], e["after"]) for e in history["removed"]] == [("acme-acme/a-to-b/conflict", None)]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(first))
    assert run(suite, report_path, f"--qa-baseline={baseline}")["history"]["baseline"]["path"] == str(baseline)


@pytest.mark.slow  # suites run in pytest subprocesses, twice
def test_a_run_that_does_not_finish_leaves_the_previous_report_marked_stale(suite, tmp_path):
    report_path = tmp_path / "qa.html"
    run(suite, report_path)
    hang = suite / "acme" / "test_z_interrupt.py"
    hang.write_text("import pytest\n\ndef test_interrupted():\n    raise KeyboardInterrupt\n")
    interrupted = run(suite, report_path)
    assert "interrupted" in interrupted["run"]["stale"]
    assert "Stale report." in report_path.read_text()


def test_the_html_is_self_contained_and_escapes_spec_text(suite, tmp_path):
    run(suite, tmp_path / "qa.html")
    html = (tmp_path / "qa.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html and "<b>N/A</b>" not in html
    assert "http://" not in html and "https://" not in html and "<link" not in html


@pytest.mark.slow  # xdist workers and a serial run, in subprocesses
def test_xdist_gives_the_same_report_as_a_serial_run(suite, tmp_path):
    serial = run(suite, tmp_path / "serial.html")
    parallel = run(suite, tmp_path / "parallel.html", "-n", "2")
    assert serial["summary"] == parallel["summary"]
    # the failure's facts travel from the workers too: message, cause, grouping
    facts = ("status", "message", "cause", "grouped_under", "grouped", "derived")
    assert ({k: [v[f] for f in facts] for k, v in items(serial).items()}
            == {k: [v[f] for f in facts] for k, v in items(parallel).items()})
