"""`qa-checklist --workers N`: N pytest processes share the suite's modules through a queue; one report."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from qa_checklist.runners.workqueue import ModuleQueue, QueueMismatch

from .test_qa_checklist_cli import qa_checklist, two_documents
from .test_shards import items, read

pytestmark = pytest.mark.slow  # qa-checklist --workers runs in subprocesses

QUIET = ("--", "-q", "-p", "no:cacheprovider")


def test_each_module_is_claimed_once_whichever_process_asks(tmp_path):
    first, second = ModuleQueue(tmp_path / "queue", ["a", "b", "c"]), ModuleQueue(tmp_path / "queue", ["a", "b", "c"])
    assert [first.claim(), second.claim(), second.claim(), first.claim(), second.claim()] == [0, 1, 2, None, None]


def test_a_process_that_collected_other_modules_cannot_take_part(tmp_path):
    ModuleQueue(tmp_path / "queue", ["a", "b"]).claim()
    with pytest.raises(QueueMismatch, match="collected other tests"):
        ModuleQueue(tmp_path / "queue", ["a", "c"]).claim()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two documents, run once in one process and once by three workers."""
    folder = tmp_path_factory.mktemp("workers")
    two_documents(folder)
    single = qa_checklist(folder, "--report", "single/qa.html", *QUIET)
    assert single.returncode == 0, single.stdout[-2000:] + single.stderr
    workers = qa_checklist(folder, "--report", "workers/qa.html", "--workers", "3", *QUIET)
    return folder, workers


def test_the_workers_report_is_the_report_of_one_run(runs):
    folder, workers = runs
    assert workers.returncode == 0, workers.stdout[-2000:] + workers.stderr
    one, merged = read(folder / "single" / "qa.json"), read(folder / "workers" / "qa.json")
    assert merged["summary"] == one["summary"]
    assert one["summary"]["items"] == 34 and one["summary"]["not_testable"] == 0
    timeless = lambda report: {i: {k: v for k, v in item.items() if k != "duration_s"}  # noqa: E731
                               for i, item in items(report).items()}
    assert timeless(merged) == timeless(one)
    assert merged["shard"] is None and merged["history"] is None
    assert merged["run"]["pytest_args"] == ["generated_tests", "-q", "-p", "no:cacheprovider"]
    assert (folder / "workers" / "qa.html").is_file()
    assert sorted(p.name for p in (folder / "workers").iterdir()) == ["qa.html", "qa.json"]  # no parts or logs left
    summary = merged["summary"]
    assert f"QA checklist: {summary['items']} items: {summary['passed']} verified" in workers.stdout


def test_every_test_runs_in_exactly_one_worker(runs):
    folder, workers = runs
    last_lines = re.findall(r"worker (\d) \(pytest exit status 0\):\n  (.*)\n", workers.stdout)
    assert [number for number, _ in last_lines] == ["1", "2", "3"]
    ran = sum(int(n) for _, line in last_lines for n in re.findall(r"(\d+) (?:passed|skipped|failed)", line))
    assert ran == sum(len(i["tests"]) for i in items(read(folder / "single" / "qa.json")).values()) == 58


def test_a_second_run_compares_with_the_report_it_replaces(runs):
    folder, _ = runs
    again = qa_checklist(folder, "--report", "workers/qa.html", "--workers", "2", *QUIET, "-k", "sync_rule")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr
    report = read(folder / "workers" / "qa.json")
    assert report["history"]["baseline"]["path"] == "workers/qa.html"
    assert report["history"]["newly_failing"] == [] and report["run"]["stale"] is None
    assert {i["status"] for i in items(report).values()} == {"passed", "skipped", "not_testable"}


def test_a_baseline_given_to_pytest_is_the_report_compared_with(runs):
    folder, _ = runs
    run = qa_checklist(folder, "--report", "other/qa.html", "--workers", "2", *QUIET, "-k", "sync_rule",
                       "--qa-baseline", "single/qa.json")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    history = read(folder / "other" / "qa.json")["history"]
    assert history["baseline"]["path"] == "single/qa.json"
    assert history["baseline"]["started_at"] == read(folder / "single" / "qa.json")["run"]["started_at"]


def test_workers_of_one_shard_write_that_shards_partial_report(runs):
    folder, _ = runs
    for group in ("1", "2"):
        shard = qa_checklist(folder, "--report", f"parts/shard-{group}.html", "--workers", "2", *QUIET,
                             "--splits", "2", "--group", group)
        assert shard.returncode == 0, shard.stdout[-2000:] + shard.stderr
        assert read(folder / "parts" / f"shard-{group}.json")["shard"] == {"group": int(group), "splits": 2}
    merged = qa_checklist(folder, "merge", "parts/shard-1.json", "parts/shard-2.json", "-o", "merged/qa.html")
    assert merged.returncode == 0, merged.stderr
    assert read(folder / "merged" / "qa.json")["summary"] == read(folder / "single" / "qa.json")["summary"]


def test_failures_fail_the_run_and_are_shown(runs):
    folder, _ = runs
    broken = qa_checklist(folder, "--report", "broken/qa.html", "--workers", "2", *QUIET, "-k", "sync_rule",
                          "--api-faults=1")
    assert broken.returncode == 1, broken.stdout[-2000:] + broken.stderr
    report = read(folder / "broken" / "qa.json")
    assert report["summary"]["failed"] > 0
    assert "short test summary info" in broken.stdout and "FAILED" in broken.stdout


def test_xdist_and_the_queue_are_not_mixed(runs):
    folder, _ = runs
    mixed = qa_checklist(folder, "--report", "mixed/qa.html", "--workers", "2", *QUIET, "-n", "2")
    assert mixed.returncode == 2  # a usage error, as qa-checklist's own
    assert "--qa-queue runs this process as one of a group" in mixed.stdout
    assert "no report was written: pytest refused its arguments" in mixed.stderr
    assert not (folder / "mixed" / "qa.json").exists()


def test_a_json_report_path_writes_the_json_alone(tmp_path):
    from qa_checklist.report.file import mark_stale, write_report

    write_report(tmp_path / "part.json", {"dataflows": [], "run": {}})
    assert [p.name for p in tmp_path.iterdir()] == ["part.json"]
    assert mark_stale(tmp_path / "part.json", "why") and json.loads((tmp_path / "part.json").read_text())["run"] == {
        "stale": "why"}


STEALING_CONFTEST = '''
import pytest
from pathlib import Path
from qa_checklist.runners.workqueue import collected_modules, module_queue


@pytest.fixture(scope="module", autouse=True)
def another_worker(request):
    """Another worker of the queue, taking the module after the one this process claimed last."""
    queue = Path(request.config.getoption("qa_queue"))
    module_queue(queue, collected_modules(request.session.items)).claim()
'''

PACKAGE_CONFTEST = '''
import pytest
from pathlib import Path


@pytest.fixture(scope="package", autouse=True)
def package(request):
    with (Path(__file__).parents[1] / "events.txt").open("a") as events:
        events.write(f"set up {request.node.name}\\n")
    yield
    with (Path(__file__).parents[1] / "events.txt").open("a") as events:
        events.write(f"tear down {request.node.name}\\n")
'''


def test_a_module_runs_after_one_of_another_package_with_the_first_package_torn_down(tmp_path):
    """Claims interleave: this process runs a1, a2, b1 and b3 (the other takes a3 and b2). Before
    b1, pytest must tear down package a: it knows to only if told b1 comes next, not a3."""
    (tmp_path / "conftest.py").write_text(STEALING_CONFTEST)
    for package in ("a", "b"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "conftest.py").write_text(PACKAGE_CONFTEST)
        for number in (1, 2, 3):
            (tmp_path / package / f"test_{package}{number}.py").write_text("def test_one():\n    pass\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--qa-queue={tmp_path / 'queue'}"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "4 passed" in run.stdout
    assert (tmp_path / "events.txt").read_text().splitlines() == ["set up a", "tear down a", "set up b", "tear down b"]


WAITING_TEST = '''
import time
from pathlib import Path


def test_waits_for_the_other_process_to_write_its_record():
    Path("b-waiting").touch()
    deadline = time.monotonic() + 60
    while not Path("a-done").exists():
        assert time.monotonic() < deadline, "the other process never finished"
        time.sleep(0.05)


def test_fixed():
    pass


def test_new():
    assert False
'''


def test_processes_of_a_queue_keep_each_others_failed_tests_for_lf(tmp_path):
    """Both processes read pytest's record of failed tests at start and write it at the end: B, writing
    last, must keep what A found failing (test_a) and drop only what B itself saw pass (test_fixed)."""
    (tmp_path / "test_a.py").write_text("def test_a():\n    assert False\n")
    (tmp_path / "test_b.py").write_text(WAITING_TEST)
    record = tmp_path / ".pytest_cache" / "v" / "cache" / "lastfailed"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"test_b.py::test_fixed": True, "test_c.py::test_not_run_here": True}))

    def worker(module):  # a queue each (they collect different modules): the files, not the lock, set the order
        return [sys.executable, "-m", "pytest", "-q", module, f"--qa-queue={tmp_path / 'queue'}-{module}"]

    b = subprocess.Popen(worker("test_b.py"), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    try:
        for _ in range(1200):  # B has read the record once its first test runs
            if (tmp_path / "b-waiting").exists() or b.poll() is not None:
                break
            time.sleep(0.05)
        a = subprocess.run(worker("test_a.py"), cwd=tmp_path, capture_output=True, text=True)
        assert a.returncode == 1, a.stdout[-2000:]
        (tmp_path / "a-done").touch()
        out, _ = b.communicate(timeout=120)
    finally:
        if b.poll() is None:
            b.kill()
    assert b.returncode == 1, out[-2000:]
    assert json.loads(record.read_text()) == {"test_a.py::test_a": True, "test_b.py::test_new": True,
                                              "test_c.py::test_not_run_here": True}


SLOW_CONFTEST = """
import os
import time

import pytest


@pytest.fixture(autouse=True)
def slowly():
    with open(f"tests-begun-{os.getpid()}", "a") as begun:
        begun.write("test\\n")
    time.sleep(0.2)  # the run lasts long enough to be interrupted halfway
"""


def _interrupted(tmp_path, conftest: str, ready, waiting_for: str) -> tuple[int, str]:
    """(exit status, output) of `qa-checklist --workers 2` on two documents, run as a job of its own and sent
    Ctrl-C as a terminal sends it, to every process of the job, once `ready()` holds."""
    two_documents(tmp_path)
    (tmp_path / "conftest.py").write_text(conftest)
    run = subprocess.Popen([sys.executable, "-m", "qa_checklist.cli", "--report", "report/qa.html", "--workers", "2",
                            *QUIET], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready():
            assert run.poll() is None and time.monotonic() < deadline, waiting_for
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGINT)
        out, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    return run.returncode, out


def test_ctrl_c_stops_the_workers_and_leaves_their_partial_report_marked_stale(tmp_path):
    # A worker that has begun its second test has finished its first.
    status, out = _interrupted(tmp_path, SLOW_CONFTEST, lambda: any(
        len(begun.read_text().splitlines()) > 1 for begun in tmp_path.glob("tests-begun-*")), "no worker ran a test")
    assert status == 2, out[-3000:]
    report = read(tmp_path / "report" / "qa.json")
    assert report["run"]["stale"] == "the run was stopped (SIGINT): the results are partial"
    assert report["run"]["exit_status"] == 2
    assert 0 < report["summary"]["not_testable"] < report["summary"]["items"] == 34  # some ran, some did not
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["qa.html", "qa.json"]  # no parts or logs left


STARTING_CONFTEST = """
import os
import pathlib
import time

pathlib.Path("started-" + str(os.getpid())).touch()
time.sleep(60)  # still starting (importing conftests) when Ctrl-C comes
"""


def test_ctrl_c_while_the_workers_are_still_starting_is_an_interruption(tmp_path):
    # Before pytest could catch it: Python's own KeyboardInterrupt ends each worker.
    status, out = _interrupted(tmp_path, STARTING_CONFTEST, lambda: len(list(tmp_path.glob("started-*"))) == 2,
                               "the workers did not start")
    assert status == 2, out[-3000:]  # interrupted, as pytest says it; not a signal's 254
    assert "worker 1 (pytest exit status 2)" in out and "worker 2 (pytest exit status 2)" in out, out[-3000:]
