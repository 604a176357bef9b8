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
                {"id": "acme-acme/a-to-b/property-1", "kind": "property", "label": "x -> y (string)", "line": 20},
                {"id": "acme-acme/a-to-b/property-2", "kind": "property", "label": "p -> q (integer)", "line": 23},
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

@pytest.fixture
def broken():
    raise RuntimeError("fake API unreachable")

@pytest.mark.checklist("acme-acme/a-to-b/sync", file="acme-acme.rst", line=14)
def test_sync():
    assert 1 + 1 == 2

@pytest.mark.checklist("acme-acme/a-to-b/property-1", file="acme-acme.rst", line=20)
def test_property_1():
    assert "Oslo" == "Bergen", "the target holds the wrong city"

@pytest.mark.checklist("acme-acme/a-to-b/property-2", file="acme-acme.rst", line=23)
@given(st.integers())
def test_property_2(value):
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
    subprocess.run([sys.executable, "-m", "pytest", str(suite), f"--qa-report={report}", "-p", "no:cacheprovider",
                    "-q", *extra], cwd=suite.parent, capture_output=True, text=True)
    return json.loads(report.with_suffix(".json").read_text())


def items(report: dict) -> dict:
    return {i["id"].rsplit("/", 1)[1]: i for d in report["dataflows"] for m in d["mappings"] for i in m["items"]}


def test_each_item_gets_the_final_outcome_of_its_tests(suite, tmp_path):
    report = run(suite, tmp_path / "r" / "qa.html", f"--junitxml={tmp_path / 'junit.xml'}")
    assert report["summary"] == {"items": 6, "passed": 1, "failed": 3, "skipped": 1, "not_testable": 1}
    got = items(report)
    assert {k: v["status"] for k, v in got.items()} == {
        "sync": "passed", "property-1": "failed", "property-2": "failed", "properties": "skipped",
        "no-echo": "failed", "conflict": "not_testable"}
    assert "the target holds the wrong city" in got["property-1"]["message"]
    assert got["property-1"]["rerun"].startswith("pytest ") and "test_property_1" in got["property-1"]["rerun"]
    assert "@reproduce_failure" in got["property-2"]["reproduce"] or "Falsifying" in got["property-2"]["reproduce"]
    assert got["no-echo"]["message"].startswith("error in setup")
    assert got["properties"]["message"] == "nothing to verify: the table lists no rows"
    assert (got["sync"]["file"], got["sync"]["line"]) == ("specs/acme-acme.rst", 14)
    assert report["dataflows"][0]["mappings"][0]["findings"][0]["code"] == "na-type"
    junit = (tmp_path / "junit.xml").read_text()
    assert 'name="checklist_item" value="acme-acme/a-to-b/property-1"' in junit


def test_the_html_is_self_contained_and_escapes_spec_text(suite, tmp_path):
    run(suite, tmp_path / "qa.html")
    html = (tmp_path / "qa.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html and "<b>N/A</b>" not in html
    assert "http://" not in html and "https://" not in html and "<link" not in html


def test_xdist_gives_the_same_report_as_a_serial_run(suite, tmp_path):
    serial = run(suite, tmp_path / "serial.html")
    parallel = run(suite, tmp_path / "parallel.html", "-n", "2")
    assert serial["summary"] == parallel["summary"]
    assert {k: v["status"] for k, v in items(serial).items()} == {k: v["status"] for k, v in items(parallel).items()}
