"""`qa-checklist`, the main job: regenerate the suite if the specs changed, run it, report.

    qa-checklist [--specs specs] [--out PATH] [--report report/qa-checklist.html] [--changed] [--workers N]
                 [--sut COMMAND | --sut-server COMMAND] [-- PYTEST ARGS]
    qa-checklist merge PART.json... -o PATH

The committed suite (`generated_tests/`) is only ever regenerated from `specs/`: other specs get
a suite of their own (`runners/suites.py`).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

import pytest

from generator.cli import regenerate
from generator.suite import DEFAULT_CACHE
from generator.writer import OutputBusy, OutputNotGenerated, output_lock, write_tree
from sync.repro import start_bundles

from .report.file import ReportWriteError, check_writable, json_path, mark_stale, marked_running, read_report
from .runners.runinfo import now
from .runners.place import place_report
from .runners.suites import suite_folder
from .runners.workers import run_workers


def _arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    own, pytest_args = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(
        prog="qa-checklist",
        description="Run the dataflow documents as a QA checklist and write its report. "
                    "Arguments after -- go to pytest (e.g. -- -n 2 -k contact).",
        epilog="qa-checklist merge PART.json... -o PATH: one report from the partial reports of shards "
               "(qa-checklist merge --help).",
    )
    parser.add_argument("--specs", type=Path, default=Path("specs"), help="folder of *.rst documents (default: specs)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of the generated suite (default: generated_tests for specs, "
                             ".cache/qa-checklist/<hash> for any other specs folder)")
    parser.add_argument("--report", type=Path, default=None,
                        help="where to write the HTML report; the JSON goes beside it (default: report/qa-checklist.html "
                             "for specs; beside its suite for any other specs folder; NAME.partial.html for a run "
                             "that leaves items out, e.g. -- -k contact)")
    parser.add_argument("--changed", action="store_true",
                        help="run only the sections changed since the previous report (--report's JSON), "
                             "carrying the other items' results forward")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="run the suite in N pytest processes that take its modules from a shared queue, "
                             "then merge their reports (default: 1; an alternative to -- -n N)")
    sut = parser.add_mutually_exclusive_group()
    sut.add_argument("--sut", metavar="COMMAND",
                     help="check this sync implementation instead of the engine: a command run once per pass, with "
                          "{config} {mapping} {model} {state} {report} {links} (docs/sut-protocol.md); the report "
                          "goes to NAME.sut.html beside the engine's")
    sut.add_argument("--sut-server", metavar="COMMAND",
                     help="check the sync service this command starts, spoken to in JSON lines on stdin/stdout "
                          "(docs/sut-protocol.md; e.g. 'sync-run --serve-protocol')")
    args, unknown = parser.parse_known_args(own)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)} (arguments for pytest go after --: "
                     f"qa-checklist -- {' '.join(unknown)})")
    if args.workers < 1:
        parser.error(f"--workers: at least 1, got {args.workers}")
    return args, pytest_args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["merge"]:
        from .runners.merge import main as merge
        return merge(argv[1:])
    args, pytest_args = _arguments(argv)
    # Schemathesis' pytest plugin (installed for the contract tests) blanks hypothesis's failing examples
    # (`value=,`), which the report shows as how to reproduce a failure: the checklist's runs, and its
    # workers', go without it.
    os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p no:schemathesis".strip()
    if not args.specs.is_dir():
        print(f"qa-checklist: {args.specs}: no such folder", file=sys.stderr)
        return 2
    sut = ["--sut", args.sut] if args.sut else ["--sut-server", args.sut_server] if args.sut_server else []
    # Another system's verdicts go beside the engine's report (NAME.sut.html), never in its place nor its history.
    args.report, pytest_args = place_report(args.specs, args.out, args.report, pytest_args,
                                            variant=".sut" if sut else "")
    if sut:
        pytest_args = [*sut, *pytest_args]
        if not any(a.startswith("--repro-dir") for a in pytest_args):  # a failure against it, replayable by hand
            repro = args.report.parent / "repro"
            start_bundles(repro)  # here, once: the processes of --workers leave it to this one
            pytest_args.append(f"--repro-dir={repro}")
    args.out, note = suite_folder(args.specs, args.out)
    if note:
        print(f"qa-checklist: {note}")
    build = regenerate(args.specs, DEFAULT_CACHE, quiet=True)
    if build.errors:
        print(f"qa-checklist: {len(build.errors)} document(s) could not be read; fix them first", file=sys.stderr)
        _mark_stale(args.report, f"the specs could not be read ({len(build.errors)} document(s) with errors): "
                                 "this report is from an earlier run")
        return 2
    try:
        with output_lock(args.out):
            diff = write_tree(args.out, build.files)
    except (OutputNotGenerated, OutputBusy) as error:
        print(f"qa-checklist: {error}", file=sys.stderr)
        _mark_stale(args.report, f"the suite could not be regenerated: {error}")
        return 2
    if diff.clean:
        print(f"qa-checklist: {args.out} is up to date with {args.specs}")
    else:
        print(f"qa-checklist: the specs changed; regenerated {args.out} "
              f"({len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed)")
    if build.findings:
        print(f"qa-checklist: {len(build.findings)} finding(s) in the specs; they are listed in the report")

    try:
        check_writable(args.report)  # said now, not after the tests have run
    except ReportWriteError as error:
        print(f"qa-checklist: {error}", file=sys.stderr)
        return 2
    started_at = now()  # a report this run writes starts no earlier
    before = _bytes(json_path(args.report))  # the times have whole seconds: an earlier run can share one
    try:
        if args.workers > 1:
            status = run_workers(args.out, args.report, args.workers, pytest_args, args.changed)
        else:
            if not any(a.startswith("--dist") for a in pytest_args):
                pytest_args = ["--dist", "loadfile", *pytest_args]  # under -n, a module's tests share one worker
            if args.changed:
                pytest_args = ["--qa-changed", *pytest_args]
            with _sigterm_as_interrupt():
                status = pytest.main([str(args.out), f"--qa-report={args.report}", *pytest_args])
    except ReportWriteError as error:
        print(f"qa-checklist: {error}", file=sys.stderr)
        return 2
    report = _this_runs_report(args.report, started_at, before)
    if report is None:
        # The report on disk, if any, is an earlier run's: its summary is not this run's.
        print(f"qa-checklist: no report was written: {_why_no_report(int(status))}", file=sys.stderr)
        return 2
    summary = report["summary"]
    if args.changed:
        carried = sum(1 for d in report["dataflows"] for m in d["mappings"] for i in m["items"] if i.get("carried_from"))
        print(f"qa-checklist: {carried} of {summary['items']} items carried forward from the previous report")
    failed = f"{summary['failed']} failed"
    if summary["failed"]:
        causes = summary.get("causes", 0)
        failed += f" ({causes} {'cause' if causes == 1 else 'causes'})"
    stale = (report.get("run") or {}).get("stale")
    print(
        f"\nQA checklist: {summary['items']} items: {summary['passed']} verified, {failed}, "
        f"{summary['skipped']} not verifiable, {summary['not_testable']} not run.\n"
        + (f"The report is partial: {stale}\n" if stale else "")
        + f"Report: {args.report} (JSON: {json_path(args.report)})"
    )
    if status == pytest.ExitCode.INTERRUPTED:
        return 2  # stopped: whatever it found, the run did not finish
    if summary["failed"]:
        return 1
    if args.changed and status == pytest.ExitCode.NO_TESTS_COLLECTED:
        return 0  # nothing changed: every result was carried forward
    return int(status)


def _this_runs_report(report: Path, started_at: str, before: bytes | None) -> dict | None:
    """The report at `report` if this run wrote it, else None: it changed since the run began (a run that
    ran nothing may have put back the very bytes it found), it started no earlier than `started_at`, and
    it is not the previous one marked as being replaced."""
    if _bytes(json_path(report)) == before:
        return None
    data = read_report(report)
    if data is None or not isinstance(data.get("run"), dict) or not isinstance(data.get("summary"), dict):
        return None
    started = data["run"].get("started_at")
    if not isinstance(started, str) or started < started_at or marked_running(data):
        return None
    return data


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


_WHY = {
    int(pytest.ExitCode.INTERRUPTED): "the run was interrupted before pytest wrote one",
    int(pytest.ExitCode.INTERNAL_ERROR): "pytest stopped with an internal error (see above)",
    int(pytest.ExitCode.USAGE_ERROR): "pytest refused its arguments or configuration (see above); no test ran",
}


def _why_no_report(status: int) -> str:
    return _WHY.get(status, f"pytest ended with status {status}")


class _sigterm_as_interrupt:
    """SIGTERM to a one-process run stops it as Ctrl-C does: pytest writes the partial report, marked stale."""

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGTERM, self._interrupt)

    def __exit__(self, *_exc) -> None:
        signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def _interrupt(_number, _frame) -> None:
        raise KeyboardInterrupt


def _mark_stale(report: Path, reason: str) -> None:
    if mark_stale(report, reason):
        print(f"qa-checklist: {report} is marked stale", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
