"""Times the whole generated suite at corpus scale, this checkout against the code before the speed work.

    python benchmarks/suite_bench.py [--specs ../shared/corpus-sample] [--copies 20] [-n 2]
                                     [--baseline COMMIT | --baseline-seconds S] [--runners queue,xdist]

The documents are copied `--copies` times under distinct names (20 x 14 = 280 documents, 4,400
modules, 33,680 tests: the publisher's 34k-item suite). Each side regenerates the suite with its
own generator and runs it with `pytest -n N --dist loadfile --qa-report` (xdist), in processes whose
imports come from that side's code: this checkout first, then the baseline commit's `generator/`,
`sync/` and `qa_checklist/` taken with `git archive` (default: the last commit before this work).
This checkout also runs it as the main job does with `qa-checklist --workers N` (the queue: N
processes taking modules from a shared file, then one merged report; its time includes the job's
check that the suite is up to date). `--runners` picks this checkout's rows (default: both).
All runs happen in this invocation, so the ratios compare like with like on this machine; CPU
seconds (of all pytest processes) are printed beside wall seconds, being less sensitive to other
work on a shared machine. `--baseline-seconds` uses a recorded figure instead. The last line is JSON.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The last commit of main before the suite's per-test overhead was removed (issue 14).
BASELINE_COMMIT = "49f7a793d9c90780cd56617f23a6811c417aa184"
PACKAGES = ("apis", "generator", "sync", "qa_checklist")  # those a commit has (apis/ came with issue 24)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=REPO.parent / "shared" / "corpus-sample")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="commit whose code is the 'before' side")
    parser.add_argument("--repo", type=Path, default=REPO, help="the git checkout to take that commit from")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="a recorded 'before' time for the same --copies and -n, instead of running it")
    parser.add_argument("--runners", default="queue,xdist",
                        help="how this checkout runs the suite: queue (qa-checklist --workers N), xdist (pytest -n N)")
    return parser.parse_args()


def _copy_specs(source: Path, target: Path, copies: int) -> None:
    if not any(source.rglob("*.rst")):
        sys.exit(f"suite_bench: no *.rst documents under {source} (give --specs)")
    target.mkdir(parents=True)
    for number in range(copies):
        for path in sorted(source.rglob("*.rst")):
            (target / f"{path.stem}-{number}.rst").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")


def _baseline_code(repo: Path, commit: str, target: Path) -> Path:
    target.mkdir(parents=True)
    archive = target / "code.tar"
    with archive.open("wb") as out:
        present = subprocess.run(["git", "ls-tree", "--name-only", commit, *PACKAGES], cwd=repo, check=True,
                                 capture_output=True, text=True).stdout.split()
        subprocess.run(["git", "archive", commit, *present], cwd=repo, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target


def _absent_plugins(code: Path) -> list[str]:
    """`-p no:NAME` for each of the installed project's pytest plugins that `code` does not have.

    pytest loads them by entry point; a module missing from `code` would otherwise be found in the
    installed (editable) checkout, bringing this checkout's code into the baseline's run.
    """
    options = []
    for entry in importlib.metadata.entry_points(group="pytest11"):
        if entry.dist and entry.dist.name == "sesam-talk-qa":
            relative = Path(*entry.module.split("."))
            if not (code / relative.with_suffix(".py")).is_file() and not (code / relative).is_dir():
                options += ["-p", f"no:{entry.name}"]
    return options


def _run_side(code: Path, specs: Path, folder: Path, workers: int, runner: str = "xdist") -> dict:
    """Regenerates the suite with `code`'s generator and times its run; imports come from `code` only."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "generator.cli", "--specs", str(specs), "--out", "suite"],
                   cwd=folder, env=env, check=True, capture_output=True)
    if runner == "queue":
        command = [sys.executable, "-m", "qa_checklist.cli", "--specs", str(specs), "--out", "suite",
                   "--report", "report/qa.html", "--workers", str(workers), "--", "-q", "-p", "no:cacheprovider"]
    else:
        command = [sys.executable, "-m", "pytest", "suite", "-q", "-p", "no:cacheprovider", "--dist", "loadfile",
                   "--qa-report=report/qa.html", *_absent_plugins(code)]
        if workers > 1:
            command += ["-n", str(workers)]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if run.returncode not in (0, 1):
        sys.exit(f"pytest exited {run.returncode} in {folder}:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    summary = json.loads((folder / "report" / "qa.json").read_text(encoding="utf-8"))["summary"]
    last = [line for line in run.stdout.strip().splitlines() if line.strip()][-2 if runner == "queue" else -1]
    return {"seconds": seconds, "cpu": cpu, "summary": summary, "last_line": last.strip()}


def _children_cpu() -> float:
    """CPU seconds of finished child processes: less sensitive than wall time to other work on the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_LABELS = {"queue": "qa-checklist --workers {n}", "xdist": "pytest -n {n} (xdist)"}


def main() -> None:
    args = _arguments()
    runners = list(dict.fromkeys(r.strip() for r in args.runners.split(",") if r.strip()))
    if not runners or set(runners) - set(_LABELS):
        sys.exit(f"suite_bench: --runners takes {' and/or '.join(_LABELS)}, got {args.runners!r}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _copy_specs(args.specs, root / "specs", args.copies)
        after = {}
        for runner in runners:
            after[runner] = _run_side(REPO, root / "specs", root / f"after-{runner}", args.workers, runner)
            print(f"after, {runner}: {after[runner]['seconds']:.1f} s, {after[runner]['cpu']:.1f} CPU s: "
                  f"{after[runner]['last_line']}", flush=True)
        before = None
        if args.baseline_seconds is None:
            before = _run_side(_baseline_code(args.repo, args.baseline, root / "baseline-code"), root / "specs",
                               root / "before", args.workers)
    items = after[runners[0]]["summary"]["items"]
    before_s = before["seconds"] if before else args.baseline_seconds
    print(f"suite: {items} items, --qa-report, {args.workers} processes")
    print(f"  {'':<44}{'wall s':>9}{'items/s':>10}{'CPU s':>9}")
    for runner, side in after.items():
        label = f"after, {_LABELS[runner].format(n=args.workers)}"
        print(f"  {label:<44}{side['seconds']:9.1f}{items / side['seconds']:10.1f}{side['cpu']:9.1f}   "
              f"{side['last_line']}")
    if before:
        label = f"before ({args.baseline[:10]}), {_LABELS['xdist'].format(n=args.workers)}"
        print(f"  {label:<44}{before['seconds']:9.1f}{before['summary']['items'] / before['seconds']:10.1f}"
              f"{before['cpu']:9.1f}   {before['last_line']}")
    else:
        print(f"  {'before (recorded figure)':<44}{before_s:9.1f}{items / before_s:10.1f}")
    for runner, side in after.items():
        cpu_ratio = f"{side['cpu'] / before['cpu']:9.3f}" if before else ""
        print(f"  {'ratio after, ' + runner + ' / before':<44}{side['seconds'] / before_s:9.3f}{'':>10}{cpu_ratio}")
    print("  goal: the 34k-item suite in <= 300 s with -n 2")
    result = {
        "items": items, "workers": args.workers, "before_s": round(before_s, 1), "before_measured": before is not None,
        "before_cpu_s": round(before["cpu"], 1) if before else None,
        "after": {runner: {
            "s": round(side["seconds"], 1), "cpu_s": round(side["cpu"], 1),
            "items_per_s": round(items / side["seconds"], 1), "ratio": round(side["seconds"] / before_s, 3),
            "cpu_ratio": round(side["cpu"] / before["cpu"], 3) if before else None,
            "same_summary": before is None or before["summary"] == side["summary"],
            "summary": side["summary"],
        } for runner, side in after.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
