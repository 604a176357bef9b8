"""`qa-checklist --workers N`: the suite in N pytest processes that share a module queue, one report.

Each worker takes the next unclaimed module (`--qa-queue`, `workqueue.py`) and writes a partial
report; the parts are merged as shards' are (`merge.py`) and compared with the report they replace
(or the one `--qa-baseline` names, as in a one-process run).
There is no xdist controller competing with the workers for the cores: on suites of 6,000 and of
34,000 items that saved a sixth of the time or more in most side-by-side runs (README, "Performance").
"""
from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .history import compare
from .merge import merge_reports
from .reportfile import json_path, mark_running, read_report, write_report
from .runinfo import now

# pytest's exit statuses, worst first: internal error, usage error, interrupted, tests failed, passed, no
# tests. Any other counts as worse still.
_WORST_FIRST = (3, 4, 2, 1, 0, 5)


def run_workers(suite: Path, report: Path, workers: int, pytest_args: list[str], changed: bool) -> int:
    """Runs the suite in `workers` processes and writes the merged report at `report`; pytest's exit status."""
    baseline = _given_baseline(pytest_args) or report  # as the plugin compares a one-process run
    previous = read_report(baseline)
    started_at, clock = now(), time.perf_counter()
    mark_running(report, started_at)
    report.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".qa-workers-", dir=report.parent) as scratch:
        folder = Path(scratch)
        shared = [f"--qa-queue={folder / 'queue'}", *pytest_args]
        if changed:
            shared = ["--qa-changed", f"--qa-baseline={json_path(report)}", *shared]
        statuses = [_as_pytest_status(s) for s in _run(folder, workers, [sys.executable, "-m", "pytest", str(suite),
                                                                          *shared])]
        status = min(statuses, key=lambda s: _WORST_FIRST.index(s) if s in _WORST_FIRST else -1)
        logs = [(folder / f"worker-{n}.log").read_text(encoding="utf-8", errors="replace").splitlines()
                for n in range(1, workers + 1)]
        for line in dict.fromkeys(line for lines in logs for line in lines if line.startswith("qa-checklist: ")):
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
        if not parts:
            return status
    merged = merge_reports(parts)
    merged["shard"] = parts[0]["shard"]  # every worker ran the same shard (pytest-split's), or the whole suite
    merged["history"] = compare(previous, merged, str(baseline)) if previous else None
    merged["run"].update(started_at=started_at, duration_s=round(time.perf_counter() - clock, 2),
                         pytest_args=[str(suite), *pytest_args], exit_status=status,
                         stale=None if status in (0, 1, 5) else "a worker did not finish: the results are partial")
    merged["inputs"]["started_at"] = started_at
    write_report(report, merged)
    return status


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


def _run(folder: Path, workers: int, command: list[str]) -> list[int]:
    """Starts the workers, each writing its part and its log in `folder`, and waits for all of them."""
    processes = []
    try:
        for number in range(1, workers + 1):
            with (folder / f"worker-{number}.log").open("wb") as log:
                processes.append(subprocess.Popen([*command, f"--qa-report={folder / f'part-{number}.json'}"],
                                                  stdout=log, stderr=subprocess.STDOUT))
        return [process.wait() for process in processes]
    except KeyboardInterrupt:
        # The terminal interrupted the workers too: each stops and writes its partial report.
        return [process.wait() for process in processes]
    finally:
        for process in processes:  # interrupted again: no worker outlives the run
            if process.poll() is None:
                process.terminate()
                process.wait()


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
