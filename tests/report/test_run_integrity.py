"""A run never lies and never loses what it tested (issue 27, point 4).

`qa-checklist` summarises only a report this run wrote; a signal stops its workers and keeps what
they wrote; a malformed earlier report is named and ignored; `merge` refuses malformed parts by
name, writes strict JSON and never overwrites a part; a report folder that takes no writes is one
line and exit 2, with no partial file.
"""
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa_checklist.report import file as reportfile
from qa_checklist.report.file import write_report
from qa_checklist.runners.merge import main as merge_main

pytestmark = pytest.mark.slow  # qa-checklist runs in subprocesses

REPO = Path(__file__).parents[2]
GOLDEN = REPO / "tests" / "data" / "golden"
QUIET = ("-q", "-p", "no:cacheprovider", f"--vocabulary={GOLDEN / 'vocabulary.toml'}")
FEW = ("-k", "sync_rule")  # a handful of tests: enough for a report, quick to run


def qa_checklist(folder: Path, *args: str, **popen) -> subprocess.CompletedProcess:
    # The checkout these tests belong to first on the path, so that they judge its code, whatever is installed.
    # The report's path given: a run of some items (-k) writes where it is told, the path these tests read.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "qa_checklist.cli", "--report", "report/qa.html", *args],
                          cwd=folder, env=env, capture_output=True, text=True, **popen)


def project(folder: Path) -> Path:
    shutil.copytree(GOLDEN / "specs", folder / "specs")
    return folder


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A project with a good report from an earlier run (report/qa.{html,json})."""
    folder = project(tmp_path_factory.mktemp("good"))
    run = qa_checklist(folder, "--", *QUIET, *FEW)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    return folder


@pytest.fixture(scope="module")
def part(good) -> dict:
    return read(good / "report" / "qa.json")


@pytest.fixture
def earlier(good, tmp_path) -> Path:
    """A copy of the good project for one test to change."""
    shutil.copytree(good, tmp_path / "p", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "p"


# --- the summary printed is of a report this run wrote --------------------------------------------

@pytest.mark.parametrize("why", ["bad-option", "corrupt-durations"])
def test_a_run_that_wrote_no_report_prints_no_summary(earlier, why):
    if why == "bad-option":
        extra = ["--no-such-option"]
    else:
        (earlier / ".test_durations").write_text("{not json")
        extra = ["--splits", "2", "--group", "1", "--durations-path", str(earlier / ".test_durations")]
    # The earlier report as if it had started in this run's second (times have whole seconds): only
    # what this run did to the file tells the two apart.
    earlier_json = earlier / "report" / "qa.json"
    before = read(earlier_json)
    before["run"]["started_at"] = "2999-01-01T00:00:00+00:00"
    earlier_json.write_text(json.dumps(before), encoding="utf-8")
    run = qa_checklist(earlier, "--", *QUIET, *FEW, *extra)
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr
    assert "no report was written" in run.stderr
    assert "QA checklist:" not in run.stdout  # not the earlier report's summary, said as this run's
    assert read(earlier / "report" / "qa.json")["summary"] == before["summary"]


# --- a report folder that takes no writes -----------------------------------------------------------

FULL_DISK_CONFTEST = '''
import errno
import pathlib

_write_text = pathlib.Path.write_text


def _full(self, *args, **kwargs):
    if self.parent.name == "report":  # the report folder is full; the suite's own files are not
        raise OSError(errno.ENOSPC, "No space left on device", str(self))
    return _write_text(self, *args, **kwargs)


pathlib.Path.write_text = _full
'''


def test_a_full_report_folder_is_one_line_and_exit_2_with_no_partial_file(earlier):
    (earlier / "conftest.py").write_text(FULL_DISK_CONFTEST)
    before = files(earlier / "report")
    run = qa_checklist(earlier, "--", *QUIET, *FEW)
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr
    output = run.stdout + run.stderr
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    assert "No space left on device" in output and "no report was written" in run.stderr
    assert "QA checklist:" not in run.stdout
    assert files(earlier / "report") == before  # the earlier report whole, nothing half-written beside it


@contextmanager
def tmpfs(folder: Path, size: str, *options: str):
    """A small tmpfs at `folder` (root only; skipped elsewhere): a real full or read-only file system."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("needs to mount a tmpfs (root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_really_full_report_folder_keeps_no_partial_file(tmp_path):
    folder = project(tmp_path)
    with tmpfs(folder / "report", "8k"):
        run = qa_checklist(folder, "--", *QUIET, *FEW)
        left = sorted(p.name for p in (folder / "report").iterdir())
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr
    assert "Traceback" not in run.stdout + run.stderr and "No space left on device" in run.stdout + run.stderr
    assert left == []


def test_a_read_only_report_folder_stops_the_run_before_its_tests(tmp_path):
    folder = project(tmp_path)
    if os.geteuid() == 0:
        context = tmpfs(folder / "report", "1m", "ro")
    else:
        (folder / "report").mkdir()
        (folder / "report").chmod(0o555)
        context = contextmanager(lambda: iter([folder / "report"]))()
    with context:
        run = qa_checklist(folder, "--", *QUIET, *FEW)
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("qa-checklist: cannot write the report in report")
    assert "Traceback" not in run.stdout + run.stderr
    assert "passed" not in run.stdout  # said before any test ran


def test_a_report_that_cannot_be_written_leaves_the_previous_one_and_no_temporary_file(part, tmp_path, monkeypatch):
    write_report(tmp_path / "qa.html", part)
    before = files(tmp_path)
    original = Path.write_text

    def full(self, text, *args, **kwargs):
        if self.suffix == ".tmp" and "qa.html" in self.name:  # the JSON fits, the HTML does not
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(reportfile.ReportWriteError, match="qa.html: No space left on device"):
        write_report(tmp_path / "qa.html", {**part, "run": {**part["run"], "commit": "another"}})
    assert files(tmp_path) == before


def test_a_report_is_strict_json(tmp_path):
    with pytest.raises(reportfile.ReportWriteError, match="NaN or Infinity"):
        write_report(tmp_path / "qa.json", {"run": {"duration_s": float("inf")}, "dataflows": []})
    assert list(tmp_path.iterdir()) == []


# --- a malformed earlier report is named and ignored ------------------------------------------------

MALFORMED = {
    "not-json": "{ this is not json",
    "a-list": "[1, 2]",
    "items-without-ids": json.dumps({"dataflows": [{"mappings": [{"id": "m", "items": [{"status": "passed"}]}]}]}),
    "mappings-not-a-list": json.dumps({"dataflows": [{"mappings": 5}]}),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_previous_report_is_named_and_ignored(earlier, kind):
    (earlier / "report" / "qa.json").write_text(MALFORMED[kind])
    run = qa_checklist(earlier, "--", *QUIET, *FEW)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert "warning: report/qa.json: not a QA checklist report" in run.stdout + run.stderr
    report = read(earlier / "report" / "qa.json")
    assert report["history"] is None and report["summary"]["passed"] > 0


@pytest.mark.parametrize("how", ["workers", "changed"])
def test_a_malformed_baseline_is_named_and_ignored_and_everything_runs(earlier, how):
    (earlier / "old.json").write_text(MALFORMED["items-without-ids"])
    mode = ["--workers", "2"] if how == "workers" else ["--changed"]
    run = qa_checklist(earlier, *mode, "--", *QUIET, *FEW, "--qa-baseline", "old.json")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert "warning: old.json: not a QA checklist report" in run.stdout + run.stderr
    report = read(earlier / "report" / "qa.json")
    assert report["history"] is None and report["summary"]["passed"] > 0
    assert not any(i.get("carried_from") for d in report["dataflows"] for m in d["mappings"] for i in m["items"])


# --- merge ---------------------------------------------------------------------------------------

def _first_item(report: dict) -> dict:
    return report["dataflows"][0]["mappings"][0]["items"][0]


def _set(path: tuple, value):
    def change(report: dict) -> None:
        target = report
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


BROKEN_PARTS = {
    "nan": (lambda r: _first_item(r).update(duration_s=float("nan")), "not strict JSON"),
    "infinity": (lambda r: _first_item(r).update(duration_s=float("inf")), "not strict JSON"),
    "huge-number": ("1e999", "too large a number"),
    "dataflows-not-a-list": (_set(("dataflows",), {}), "dataflows"),
    "item-without-status": (lambda r: _first_item(r).pop("status"), "status"),
    "item-with-unknown-status": (lambda r: _first_item(r).update(status="green"), "status 'green'"),
    "item-tests-not-a-list": (lambda r: _first_item(r).update(tests="t"), "\"tests\""),
    "item-not-an-object": (lambda r: r["dataflows"][0]["mappings"][0]["items"].append(7), "not an object"),
    "mapping-without-items": (lambda r: r["dataflows"][0]["mappings"][0].pop("items"), "items"),
    "inputs-without-start": (lambda r: r["inputs"].pop("started_at"), "started_at"),
    "shard-of-strings": (_set(("shard",), {"group": "1", "splits": "2"}), "shard"),
    "shard-past-the-count": (_set(("shard",), {"group": 3, "splits": 2}), "shard"),
    "run-not-an-object": (_set(("run",), [1]), "run"),
    "api-without-kind": (lambda r: r["dataflows"][0]["apis"][0].pop("kind"), "apis[0]: \"kind\" is missing"),
    "finding-a-string": (lambda r: r["dataflows"][0]["findings"].append("x"), "findings[0] is not an object"),
    "not-utf8": (b"\xff\xfe{", "cannot read"),
}


@pytest.mark.parametrize("kind", BROKEN_PARTS)
def test_merge_names_a_malformed_part_and_what_is_wrong(part, tmp_path, capsys, kind):
    change, said = BROKEN_PARTS[kind]
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(part))
    if isinstance(change, bytes):
        bad.write_bytes(change)
    elif isinstance(change, str):
        bad.write_text(json.dumps(part).replace('"duration_s": ' + json.dumps(_first_item(part)["duration_s"]),
                                                f'"duration_s": {change}', 1))
    else:
        broken = json.loads(json.dumps(part))
        change(broken)
        bad.write_text(json.dumps(broken))  # Python writes NaN and Infinity, as the merge once did
    assert merge_main([str(good), str(bad), "-o", str(tmp_path / "out" / "qa.html")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"qa-checklist merge: error: {bad}") and said in error, error
    assert len(error.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_merge_refuses_an_output_that_is_one_of_its_parts(part, tmp_path, capsys):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(part))
    before = one.read_bytes()
    for output in (one, tmp_path / "one.html", tmp_path / "." / "one.json"):  # the JSON beside the HTML too
        assert merge_main([str(one), "-o", str(output)]) == 2
        assert "is one of the parts" in capsys.readouterr().err
    assert one.read_bytes() == before and not (tmp_path / "one.html").exists()


def test_merge_writes_strict_json(part, tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(part))
    assert merge_main([str(tmp_path / "one.json"), "-o", str(tmp_path / "merged.json")]) in (0, 1)

    def refuse(constant):
        raise AssertionError(f"{constant} in the merged report")

    json.loads((tmp_path / "merged.json").read_text(), parse_constant=refuse)


# --- signals stop the workers, and what they wrote is kept ----------------------------------------

SLOW_CONFTEST = """
import os
import time

import pytest


@pytest.fixture(autouse=True)
def slowly():
    with open(f"tests-begun-{os.getpid()}", "a") as begun:
        begun.write("test\\n")
    time.sleep(0.2)  # the run lasts long enough to be stopped halfway
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead: it only waits for its parent (gone) to be reaped by init
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_qa_checklist_stops_its_workers_and_keeps_what_they_wrote(tmp_path, sent):
    """The signal goes to qa-checklist alone (`kill PID`, a CI runner cancelling the job), not to its group."""
    folder = project(tmp_path)
    (folder / "conftest.py").write_text(SLOW_CONFTEST)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)])}
    run = subprocess.Popen([sys.executable, "-m", "qa_checklist.cli", "--report", "report/qa.html", "--workers", "2",
                            "--", *QUIET],
                           cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(len(b.read_text().splitlines()) > 1 for b in folder.glob("tests-begun-*")):
            assert run.poll() is None and time.monotonic() < deadline, "no worker ran a test"
            time.sleep(0.05)
        workers = [int(b.name.rpartition("-")[2]) for b in folder.glob("tests-begun-*")]
        run.send_signal(sent)
        out, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived qa-checklist"
    assert run.returncode == 2, out[-3000:]
    report = read(folder / "report" / "qa.json")
    assert report["run"]["stale"] == f"the run was stopped ({sent.name}): the results are partial"
    assert 0 < report["summary"]["passed"] and report["summary"]["not_testable"] > 0
    assert sorted(p.name for p in (folder / "report").iterdir()) == ["qa.html", "qa.json"]
    assert "The report is partial" in out


def test_sigterm_to_a_one_process_run_keeps_its_partial_report(tmp_path):
    folder = project(tmp_path)
    (folder / "conftest.py").write_text(SLOW_CONFTEST)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)])}
    run = subprocess.Popen([sys.executable, "-m", "qa_checklist.cli", "--report", "report/qa.html", "--", *QUIET],
                           cwd=folder, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(len(b.read_text().splitlines()) > 1 for b in folder.glob("tests-begun-*")):
            assert run.poll() is None and time.monotonic() < deadline, "no test ran"
            time.sleep(0.05)
        run.send_signal(signal.SIGTERM)
        out, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 2, out[-3000:]
    report = read(folder / "report" / "qa.json")
    assert report["run"]["stale"] and report["summary"]["passed"] > 0


# --- a bad vocabulary file is a usage error before any test runs --------------------------------------

BAD_VOCABULARIES = {  # each kind of bad file, and many more, in tests/hostile/test_vocabulary_input.py
    "not-toml": ('[[conditions]]\nphrasing = "x"\n[conditions.predicates.Acme\nfield = "a"\n', 3),
    "predicate-a-string": ('[[conditions]]\nphrasing = "When it is on"\n\n[conditions.predicates]\nAcme = "on"\n', 5),
}


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("kind", ["not-toml", "missing", "predicate-a-string"])
def test_a_bad_vocabulary_file_is_a_usage_error_and_the_last_good_report_stays(earlier, kind, workers):
    if kind == "missing":
        said = "no such vocabulary file: mine.toml"
    else:
        text, line = BAD_VOCABULARIES[kind]
        (earlier / "mine.toml").write_text(text)
        said = f"mine.toml:{line}:"
    before = files(earlier / "report")
    run = qa_checklist(earlier, "--workers", workers, "--", *QUIET, *FEW, "--vocabulary=mine.toml")
    assert run.returncode == 2, run.stdout[-3000:] + run.stderr
    assert said in run.stdout + run.stderr
    assert "passed" not in run.stdout and "Traceback" not in run.stdout + run.stderr
    assert files(earlier / "report") == before
