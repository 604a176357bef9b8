"""Times the whole generated suite at corpus scale, this checkout against the code before the speed work.

    python benchmarks/suite_bench.py [--specs ../shared/corpus-sample] [--copies 20] [-n 2]
                                     [--baseline COMMIT | --baseline-seconds S]

The documents are copied `--copies` times under distinct names (20 x 14 = 280 documents, 4,400
modules, 33,680 tests: the publisher's 34k-item suite). Each side regenerates the suite with its
own generator and runs it with `pytest -n N --dist loadfile --qa-report`, in a process of its own
whose imports come from that side's code: this checkout, and the baseline commit's `generator/`,
`sync/` and `qa_checklist/` taken with `git archive` (default: the last commit before this work).
Both runs happen in this invocation, one after the other, so the ratio compares like with like on
a machine whose load changes; `--baseline-seconds` uses a recorded figure instead. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The last commit of main before the suite's per-test overhead was removed (issue 14).
BASELINE_COMMIT = "29e4e4c0477346e939f50b58ccf0d7a0a23f5af3"
PACKAGES = ("generator", "sync", "qa_checklist")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=REPO.parent / "shared" / "corpus-sample")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="commit whose code is the 'before' side")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="a recorded 'before' time for the same --copies and -n, instead of running it")
    return parser.parse_args()


def _copy_specs(source: Path, target: Path, copies: int) -> None:
    target.mkdir(parents=True)
    for number in range(copies):
        for path in sorted(source.rglob("*.rst")):
            (target / f"{path.stem}-{number}.rst").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")


def _baseline_code(commit: str, target: Path) -> Path:
    target.mkdir(parents=True)
    archive = target / "code.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", commit, *PACKAGES], cwd=REPO, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target


def _run_side(code: Path, specs: Path, folder: Path, workers: int) -> dict:
    """Regenerates the suite with `code`'s generator and times its run; imports come from `code` only."""
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "generator.cli", "--specs", str(specs), "--out", "suite",
                    "--cache", str(folder / "cache")], cwd=folder, env=env, check=True, capture_output=True)
    command = [sys.executable, "-m", "pytest", "suite", "-q", "-p", "no:cacheprovider", "--dist", "loadfile",
               "--qa-report=report/qa.html"]
    if workers > 1:
        command += ["-n", str(workers)]
    start = time.perf_counter()
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        sys.exit(f"pytest exited {run.returncode} in {folder}:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    summary = json.loads((folder / "report" / "qa.json").read_text(encoding="utf-8"))["summary"]
    return {"seconds": seconds, "summary": summary, "last_line": run.stdout.strip().splitlines()[-1]}


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _copy_specs(args.specs, root / "specs", args.copies)
        before = None
        if args.baseline_seconds is None:
            before = _run_side(_baseline_code(args.baseline, root / "baseline-code"), root / "specs",
                               root / "before", args.workers)
        after = _run_side(REPO, root / "specs", root / "after", args.workers)
    items = after["summary"]["items"]
    before_s = before["seconds"] if before else args.baseline_seconds
    result = {
        "documents": 14 * args.copies if args.specs.name == "corpus-sample" else None,
        "items": items, "workers": args.workers, "after_s": round(after["seconds"], 1),
        "items_per_s": round(items / after["seconds"], 1), "before_s": round(before_s, 1),
        "before_measured": before is not None, "ratio": round(after["seconds"] / before_s, 3),
        "same_summary": before is None or before["summary"] == after["summary"],
    }
    print(f"suite: {items} items, pytest -n {args.workers} --dist loadfile --qa-report")
    print(f"  after  (this checkout)            {after['seconds']:8.1f} s  {items / after['seconds']:8.1f} items/s"
          f"   {after['last_line']}")
    label = f"before ({args.baseline[:10]})" if before else "before (recorded figure)"
    print(f"  {label:<33}{before_s:8.1f} s  {items / before_s:8.1f} items/s"
          + (f"   {before['last_line']}" if before else ""))
    print(f"  ratio after / before              {after['seconds'] / before_s:8.3f}   goal: 34k items in <= 300 s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
