"""`qa-checklist`, the main job: regenerate when the specs changed, run, report, exit status."""
import json
import shutil
from pathlib import Path

from qa_checklist.cli import main

GOLDEN_SPECS = Path(__file__).parents[1] / "data" / "golden" / "specs"


def test_regenerates_runs_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    status = main(["--", "-q", "-p", "no:cacheprovider"])
    out = capsys.readouterr().out
    assert "the specs changed; regenerated generated_tests" in out
    report = json.loads((tmp_path / "report" / "qa-checklist.json").read_text())
    assert (tmp_path / "report" / "qa-checklist.html").is_file()
    summary = report["summary"]
    assert summary["items"] == sum(len(m["items"]) for d in report["dataflows"] for m in d["mappings"])
    assert f"QA checklist: {summary['items']} items: {summary['passed']} verified" in out
    assert status == (1 if summary["failed"] else 0)

    main(["--", "-q", "-p", "no:cacheprovider", "-k", "sync_rule"])
    out = capsys.readouterr().out
    assert "generated_tests is up to date with specs" in out
    rerun = json.loads((tmp_path / "report" / "qa-checklist.json").read_text())
    statuses = {i["id"].rsplit("/", 1)[1]: i["status"] for d in rerun["dataflows"] for m in d["mappings"] for i in m["items"]}
    assert statuses["sync"] in ("passed", "failed") and statuses["no-echo"] == "not_testable"


def test_a_failed_item_makes_the_exit_status_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    main(["--", "-q", "-p", "no:cacheprovider", "-k", "nothing-matches-this"])
    module = next((tmp_path / "generated_tests").rglob("test_person_to_customer.py"))
    module.write_text(module.read_text().replace(
        "    checks.sync_rule(sync_harness, MAPPING)", "    assert False, 'broken on purpose'"))
    # A hand-edited suite is stale: qa-checklist regenerates it, so break the checks instead.
    assert main(["--", "-q", "-p", "no:cacheprovider", "-k", "sync_rule"]) in (0, 1)
    assert "regenerated" in capsys.readouterr().out


def test_unreadable_specs_stop_before_running(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.rst").write_text("no title\n")
    assert main([]) == 2
    assert "specs/bad.rst:1: error:" in capsys.readouterr().err
    assert not (tmp_path / "generated_tests").exists() and not (tmp_path / "report").exists()
