"""`qa-checklist --workers N`: the suite in N pytest processes that share a module queue, one report.

Each worker takes the next unclaimed module (`--qa-queue`, `workqueue.py`) and writes a partial
report; the parts are merged as shards' are (`merge.py`) and compared with the report they replace
(or the one `--qa-baseline` names, as in a one-process run).
There is no xdist controller competing with the workers for the cores: on suites of 6,000 and of
34,000 items that saved a sixth of the time or more in most side-by-side runs (README, "Performance").

The workers run in a session of their own, so a signal reaches them only through this process: SIGINT
or SIGTERM to `qa-checklist` (a terminal's Ctrl-C, a CI job cancelled) is passed on once, as SIGINT,
so each worker stops as pytest does when interrupted and writes its partial report; what they wrote
is merged into a report marked stale, and the run's status is 2. A second signal ends them at once.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from tqdm import tqdm

from ..report.file import ReportWriteError, json_path, mark_running, read_report, restore, snapshot, write_report
from ..report.history import compare, read_baseline
from .merge import merge_reports
from .runinfo import now
from .workqueue import progress_of

GRACE_S = 60  # how long interrupted workers have to write their partial reports before they are killed

# pytest's exit statuses, worst first: internal error, usage error, interrupted, tests failed, passed, no
# tests. Any other counts as worse still.
_WORST_FIRST = (3, 4, 2, 1, 0, 5)


def run_workers(suite: Path, report: Path, workers: int, pytest_args: list[str], changed: bool) -> int:
    """Runs the suite in `workers` processes and writes the merged report at `report`; pytest's exit status
    (2 when a signal stopped the run). ReportWriteError when the report cannot be written."""
    baseline = _given_baseline(pytest_args) or report  # as the plugin compares a one-process run
    previous, warning = read_baseline(baseline)
    if warning:
        print(f"qa-checklist: warning: {warning}", file=sys.stderr)
    started_at, clock = now(), time.perf_counter()
    before = snapshot(report)
    mark_running(report, started_at)
    # Held until the report is written: a signal after the workers ended lets the merge finish (seconds), and
    # the run still ends with status 2.
    with _Stop() as stop:
        try:
            scratch = tempfile.TemporaryDirectory(prefix=".qa-workers-", dir=report.parent)
        except OSError as error:
            raise ReportWriteError(f"cannot write the report in {report.parent}: {error.strerror or error}") from None
        with scratch:
            folder = Path(scratch.name)
            shared = [f"--qa-queue={folder / 'queue'}", *pytest_args]
            if changed:
                shared = ["--qa-changed", f"--qa-baseline={json_path(report)}", *shared]
            statuses = [_as_pytest_status(s)
                        for s in _run(folder, workers, [sys.executable, "-m", "pytest", str(suite), *shared], stop)]
            status = min(statuses, key=lambda s: _WORST_FIRST.index(s) if s in _WORST_FIRST else -1)
            stopped = stop.signal  # while the workers ran: their results are partial
            if stopped is not None:
                status = int(pytest.ExitCode.INTERRUPTED)
                print(f"qa-checklist: stopped by {signal.Signals(stopped).name}: the workers were interrupted",
                      file=sys.stderr)
            parts = _collect(folder, workers, statuses, {f"qa-checklist: warning: {warning}"})
        if not parts:
            if status == pytest.ExitCode.USAGE_ERROR:
                restore(before)  # nothing ran (pytest refused its arguments): the last report is still current
            return status
        merged = merge_reports(parts)
        merged["shard"] = parts[0]["shard"]  # every worker ran the same shard (pytest-split's), or the whole suite
        merged["history"] = compare(previous, merged, str(baseline)) if previous else None
        if status in (0, 1, 5):
            stale = None
        elif stopped is not None:
            stale = f"the run was stopped ({signal.Signals(stopped).name}): the results are partial"
        else:
            stale = "a worker did not finish: the results are partial"
        merged["run"].update(started_at=started_at, duration_s=round(time.perf_counter() - clock, 2),
                             pytest_args=[str(suite), *pytest_args], exit_status=status, stale=stale)
        merged["inputs"]["started_at"] = started_at
        write_report(report, merged)
    return int(pytest.ExitCode.INTERRUPTED) if stop.signal is not None else status


def _collect(folder: Path, workers: int, statuses: list[int], said: set[str]) -> list[dict]:
    """The workers' partial reports, their output shown; `said`: lines of theirs already printed."""
    logs = [(folder / f"worker-{n}.log").read_text(encoding="utf-8", errors="replace").splitlines()
            if (folder / f"worker-{n}.log").is_file() else [] for n in range(1, workers + 1)]
    for line in dict.fromkeys(line for lines in logs for line in lines if line.startswith("qa-checklist: ")):
        if line not in said:
            print(line)  # the plugin's own notes (as why --changed runs everything), the same in every worker
    parts = []
    for number, (lines, worker_status) in enumerate(zip(logs, statuses), 1):
        _show(number, lines, worker_status)
        part = read_report(folder / f"part-{number}.json")
        if part is None:
            print(f"qa-checklist: worker {number} wrote no report: the modules it took are reported as not run",
                  file=sys.stderr)
        else:
            parts.append(part)
    return parts


def _as_pytest_status(returncode: int) -> int:
    """A worker's exit status in pytest's terms: one that Ctrl-C reached before pytest could catch it (while it
    was starting) was interrupted; one killed by another signal is an internal error."""
    if returncode >= 0:
        return returncode
    return int(pytest.ExitCode.INTERRUPTED) if returncode == -signal.SIGINT else int(pytest.ExitCode.INTERNAL_ERROR)


def _given_baseline(pytest_args: list[str]) -> Path | None:
    """The report named by the last `--qa-baseline` among pytest's arguments (pytest's own rule: the last wins)."""
    given = None
    for index, arg in enumerate(pytest_args):
        if arg.startswith("--qa-baseline="):
            given = arg.partition("=")[2]
        elif arg == "--qa-baseline" and index + 1 < len(pytest_args):
            given = pytest_args[index + 1]
    return Path(given) if given else None


class _Stop:
    """While the workers run: SIGINT and SIGTERM to this process are passed on to them (`__call__`)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.processes: list[subprocess.Popen] = []
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "_Stop":
        if threading.current_thread() is threading.main_thread():  # where Python lets a handler be set
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self)
        return self

    def __exit__(self, *_exc) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def __call__(self, number: int, _frame=None) -> None:
        if self.signal is None:
            self.signal = number
            for process in self.processes:
                self.interrupt(process)
            # Workers stuck in a test get GRACE_S to stop; then they are killed, their parts lost, the rest kept.
            timer = threading.Timer(GRACE_S, self.kill)
            timer.daemon = True
            timer.start()
        else:
            self.kill()  # asked twice: no more waiting

    @staticmethod
    def interrupt(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as Ctrl-C: pytest stops and writes its partial report

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()


def _run(folder: Path, workers: int, command: list[str], stop: _Stop) -> list[int]:
    """Starts the workers, each writing its part and its log in `folder`, and waits for all of them."""
    processes = stop.processes
    try:
        for number in range(1, workers + 1):
            if stop.signal is not None:
                break  # stopped while starting: the workers not yet started never start
            with (folder / f"worker-{number}.log").open("wb") as log:
                # A session of their own: a terminal's Ctrl-C reaches only this process, which passes it on
                # once; a second SIGINT would stop pytest while it writes its partial report.
                processes.append(subprocess.Popen([*command, f"--qa-report={folder / f'part-{number}.json'}"],
                                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            if stop.signal is not None:
                stop.interrupt(processes[-1])  # the signal came while this one was being started
        _wait_showing_progress(processes, folder / "queue")
        statuses = [process.wait() for process in processes]
        return statuses + [int(pytest.ExitCode.INTERRUPTED)] * (workers - len(processes))
    finally:
        for process in processes:  # stopped by an error of this process: no worker outlives the run
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_showing_progress(processes: list[subprocess.Popen], queue: Path) -> None:
    """Waits for the workers with a progress bar of the modules they have taken (on a terminal only)."""
    with tqdm(desc="modules", unit="module", disable=None, leave=False) as bar:
        while any(process.poll() is None for process in processes):
            found = progress_of(queue)
            if found is not None:
                bar.total = found[1]
                bar.n = found[0]
                bar.refresh()
            time.sleep(0.5)


def _show(number: int, lines: list[str], status: int) -> None:
    """A worker's last line; its failures when tests failed or it was interrupted; all of its output when it
    could not run them."""
    if status in (0, 5):
        shown = lines[-1:]
    elif status in (1, 2):  # failed tests, or interrupted: the summary pytest wrote
        headings = (i for i, line in enumerate(lines)
                    if line.startswith("=") and (" FAILURES " in line or " ERRORS " in line))
        start = next(headings, max(len(lines) - 1, 0))
        shown = lines[start:]
    else:
        shown = lines
    print(f"qa-checklist: worker {number} (pytest exit status {status}):")
    for line in shown:
        print(f"  {line}")
