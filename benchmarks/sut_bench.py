"""Times the committed suite against the engine in process and against a SUT in another process.

    python benchmarks/sut_bench.py [--suite generated_tests] [-n 2] [--rounds 1] [--command]

Side by side in one invocation, alternating, so the ratios compare like with like on this machine:

* ``in process``: the engine in the checks' process, through the mock transport (the default run);
* ``http``: the same engine over real sockets to the fakes (`--transport=http`);
* ``protocol``: `sync-run --serve-protocol` started once per pytest worker (`--sut-server`);
* ``command`` (with `--command`): sync-run run once per pass (`--sut`), the slow adapter.

Each row gives wall seconds, the verified/failed/skipped counts, and the ratio to the in-process
run. Injected timeouts cost a held connection each (sync/fakes/loopback.py) in every row but the
first: that, not the protocol, is most of what a socket costs. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMAND = ("sync-run --model {model} --mapping {mapping} --config {config} --state {state} --report {report} "
           "--links {links}")


def run(suite: str, workers: int, options: list[str]) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", suite, "-q", "-p", "no:cacheprovider", "-n", str(workers),
                           "--dist", "loadfile", *options], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped)", tail)}
    return {"seconds": round(seconds, 1), **counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="generated_tests")
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--command", action="store_true", help="also the command run once per pass (slow)")
    args = parser.parse_args()
    modes = {"in process": [], "http": ["--transport=http"], "protocol": ["--sut-server", "sync-run --serve-protocol"]}
    if args.command:
        modes["command"] = ["--sut", COMMAND]
    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    for _ in range(args.rounds):
        for mode, options in modes.items():
            results[mode].append(run(args.suite, args.workers, options))
    best = {mode: min(runs, key=lambda r: r["seconds"]) for mode, runs in results.items()}
    base = best["in process"]["seconds"]
    for mode, row in best.items():
        print(f"{mode:>10}: {row['seconds']:7.1f} s  {row.get('passed', 0):5} verified  {row.get('failed', 0):3} failed  "
              f"{row.get('skipped', 0):5} not verifiable  {row['seconds'] / base:5.2f}x")
    print(json.dumps({mode: {**row, "ratio": round(row["seconds"] / base, 2)} for mode, row in best.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
