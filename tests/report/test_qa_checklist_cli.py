"""`qa-checklist`, the main job: regenerate when the specs changed, run, report, exit status."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # qa-checklist runs in subprocesses

REPO = Path(__file__).parents[2]
GOLDEN_SPECS = REPO / "tests" / "data" / "golden" / "specs"
VOCABULARY = f"--vocabulary={GOLDEN_SPECS.parent / 'vocabulary.toml'}"  # the predicate of its section condition


def two_documents(folder: Path) -> None:
    """`folder/specs` with the golden acme-chargebee document twice, the second in a subfolder."""
    for name in ("acme-chargebee.rst", "more/acme-chargebee.rst"):
        (folder / "specs" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(GOLDEN_SPECS / "acme-chargebee.rst", folder / "specs" / name)


def qa_checklist(folder: Path, *args: str) -> subprocess.CompletedProcess:
    # A process of its own, as a user runs it: generated modules of one run must not meet another's.
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([sys.executable, "-m", "qa_checklist.cli", *args], cwd=folder, env=env,
                          capture_output=True, text=True)


def test_regenerates_runs_and_reports(tmp_path):
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    run = qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider", VOCABULARY)
    status, out = run.returncode, run.stdout
    assert "the specs changed; regenerated generated_tests" in out
    report = json.loads((tmp_path / "report" / "qa-checklist.json").read_text())
    assert (tmp_path / "report" / "qa-checklist.html").is_file()
    summary = report["summary"]
    assert summary["items"] == sum(len(m["items"]) for d in report["dataflows"] for m in d["mappings"])
    assert f"QA checklist: {summary['items']} items: {summary['passed']} verified" in out
    assert status == (1 if summary["failed"] else 0)

    full = {p.name: p.read_bytes() for p in (tmp_path / "report").iterdir()}
    out = qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider", VOCABULARY, "-k", "sync_rule").stdout
    assert "generated_tests is up to date with specs" in out
    # a run that leaves items out writes a partial report beside the full one, which it leaves alone
    assert "this run leaves items out (-k sync_rule): its report goes to report/qa-checklist.partial.html" in out
    assert {p.name: p.read_bytes() for p in (tmp_path / "report").iterdir() if ".partial." not in p.name} == full
    rerun = json.loads((tmp_path / "report" / "qa-checklist.partial.json").read_text())
    assert rerun["run"]["partial"] == "-k sync_rule"
    assert rerun["history"]["baseline"]["path"] == "report/qa-checklist.html" and not rerun["history"]["removed"]
    statuses = {i["id"].rsplit("/", 1)[1]: i["status"] for d in rerun["dataflows"] for m in d["mappings"]
                for i in m["items"]}
    assert statuses["sync"] in ("passed", "failed") and statuses["no-echo"] == "not_testable"


def test_a_failed_item_makes_the_exit_status_non_zero(tmp_path):
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    # A plugin that breaks the engine's integer coercion: the "integer" row must then fail.
    (tmp_path / "break_integers.py").write_text(
        "import sync.coercion as c\n"
        "_real = c._CONVERTERS['integer']\n"
        "c._CONVERTERS['integer'] = lambda value: _real(value) + 1\n"
    )
    run = qa_checklist(tmp_path, "--", "-q", "-p", "no:cacheprovider", "-p", "break_integers", "-k", "net_term_days")
    assert run.returncode == 1, run.stdout + run.stderr
    report = json.loads((tmp_path / "report" / "qa-checklist.partial.json").read_text())
    failed = [i for d in report["dataflows"] for m in d["mappings"] for i in m["items"] if i["status"] == "failed"]
    assert [i["label"] for i in failed] == ["days -> net_term_days (integer)"]
    assert "net_term_days" in failed[0]["message"] and failed[0]["line"] == 42
    assert "1 failed" in run.stdout


def test_unreadable_specs_stop_before_running(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.rst").write_text("no title\n")
    run = qa_checklist(tmp_path)
    assert run.returncode == 2
    assert "specs/bad.rst:1: error:" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "generated_tests").exists() and not (tmp_path / "report").exists()


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=qa", "-c", "user.email=qa@example.invalid", *args], cwd=folder,
                          capture_output=True, text=True, check=True).stdout


def test_other_specs_never_touch_the_committed_suite(tmp_path):
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    shutil.copytree(REPO / "generated_tests", tmp_path / "generated_tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "specs", "generated_tests")
    git(tmp_path, "commit", "-qm", "a fresh copy")
    (tmp_path / "empty").mkdir()
    for specs in ("specs/examples", "empty"):
        run = qa_checklist(tmp_path, "--specs", specs, "--", "-q", "-p", "no:cacheprovider", "-k", "sync_rule")
        assert "generated_tests is left alone" in run.stdout and ".cache/qa-checklist/suite-" in run.stdout, run.stderr
        assert git(tmp_path, "status", "--porcelain", "--untracked-files=all", "generated_tests") == ""
        assert "goes beside its suite, to .cache/qa-checklist/suite-" in run.stdout  # not report/qa-checklist.html
    assert not (tmp_path / "report").exists()
    report = json.loads(next((tmp_path / ".cache" / "qa-checklist").glob("suite-*-report/qa-checklist.partial.json"))
                        .read_text())
    assert report["run"]["commit"] == git(tmp_path, "rev-parse", "HEAD").strip()
    assert report["run"]["pytest_args"][-2:] == ["-k", "sync_rule"]

    refused = qa_checklist(tmp_path, "--specs", "specs/examples", "--out", "generated_tests")
    assert refused.returncode == 2 and "holds the suite of a specs folder named 'specs'" in refused.stderr
    assert git(tmp_path, "status", "--porcelain", "--untracked-files=all", "generated_tests") == ""


def test_pytest_arguments_without_the_separator_get_a_hint(tmp_path):
    run = qa_checklist(tmp_path, "-k", "contact")
    assert run.returncode == 2 and "arguments for pytest go after --: qa-checklist -- -k contact" in run.stderr


def test_specs_that_cannot_be_read_mark_the_previous_report_stale(tmp_path):
    shutil.copytree(GOLDEN_SPECS, tmp_path / "specs")
    qa_checklist(tmp_path, "--report", "report/qa-checklist.html", "--", "-q", "-p", "no:cacheprovider", "-k", "sync_rule")
    assert json.loads((tmp_path / "report" / "qa-checklist.json").read_text())["run"]["stale"] is None
    (tmp_path / "specs" / "bad.rst").write_text("no title\n")
    run = qa_checklist(tmp_path)
    assert run.returncode == 2 and "is marked stale" in run.stderr
    stale = json.loads((tmp_path / "report" / "qa-checklist.json").read_text())["run"]["stale"]
    assert "could not be read" in stale
    assert "Stale report." in (tmp_path / "report" / "qa-checklist.html").read_text()
