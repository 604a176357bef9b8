"""Mutation benchmark: how many of mutmut's mutants of the engine each test suite kills.

    python benchmarks/mutation.py [--all-sync | --modules engine reconcile ...] [--sample N]
                                  [--suite generated|tests|both] [--max-children 2]

Runs mutmut 3 (configured under [tool.mutmut] in pyproject.toml) once with the committed generated
suite as the test command and once with the project's own tests/, each in its own copy of the
project under .mutation/<suite>/ (mutmut copies that again into mutants/), and prints killed /
survived / score side by side. By default it mutates the five modules that hold the engine's rules
(sync/engine.py, reconcile.py, paths.py, coercion.py, matching.py); --modules names others of sync/,
--all-sync mutates every module of sync/. --sample N runs every N-th mutant of each function
(mutmut numbers them per function), a documented sample when the whole run would take too long.

Score = killed / (killed + survived + no tests), after the equivalent mutants listed below.
Not a test: never run in CI.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUITES = {
    "generated": ["generated_tests"],
    # Left out: tests that run a suite in a subprocess (the unmutated install), the browser test (Chromium), and
    # tests/checks, which rewrites engine functions from their source (mutmut's trampolines have none).
    "tests": ["tests", "--ignore=tests/generator/test_corpus_suite.py", "--ignore=tests/report/test_browser.py",
              "--ignore=tests/generator/test_conditions_broken.py", "--ignore=tests/checks"],
}

# Mutants that behave exactly like the original: excluded from every score, one line of reason each.
EQUIVALENT: dict[str, str] = {
    "sync.engine.xǁSyncEngineǁ__init____mutmut_52":
        "`into` for a mapping without a creation rule: only `_connected` reads it, and only under a rule",
    "sync.engine.xǁSyncEngineǁ__init____mutmut_54":
        "the same `into` spelled \"XXXX\" without a rule: only `_connected` reads it, and only under a rule",
    "sync.engine.xǁSyncEngineǁ_handle_source__mutmut_6":
        "`again=None` for `again=False`: `StateStore.revisit` only asks whether `again` is true",
    "sync.engine.xǁSyncEngineǁ_handle_source__mutmut_48":
        "`again=None` for `again=False` (after a pair is done): `StateStore.revisit` only asks whether it is true",
    "sync.engine.xǁSyncEngineǁ_report_anomalies__mutmut_6":
        "`hasattr(connector, 'take_anomalies') or True`: every connector is a RestConnector, which has it",
    "sync.engine.xǁSyncEngineǁ_synchronize__mutmut_123":
        "the snapshots written again when neither changed: the same rows and the same in-memory copies",
    "sync.engine.xǁSyncEngineǁ_synchronize__mutmut_102":
        "a stale write's re-read source remembered under side None: the source rows it would have replaced hold "
        "that record already, or it changed after this pass's listing and the next pass lists it again",
    "sync.engine.xǁSyncEngineǁ_connected__mutmut_15":
        "`entry.get('results', )` gives None where `[]` was the default: `results or ()` reads both as no results",
    "sync.engine.xǁSyncEngineǁ_commit_created__mutmut_12":
        "a link's origin spelled otherwise: no code reads the origin back (links files, the protocol server and "
        "the SUT adapter drop it)",
    "sync.engine.xǁSyncEngineǁ_finish_intents__mutmut_39":
        "`source.get(sid, None)`: an intent's source is always among the seen records (its create was planned "
        "from them, and seen rows are never deleted)",
    "sync.engine.xǁSyncEngineǁ_find_unkeyed__mutmut_42":
        "`source.get(sid, )`: an intent's source is always among the seen records (as _finish_intents__mutmut_39)",
    "sync.engine.xǁSyncEngineǁ_find_or_resend__mutmut_9":
        "the status of a create left unknown: `_handle_source` reports its message and code, and nothing else "
        "reads it",
    "sync.paths.x__get__mutmut_15":
        "`parts[0] in node or True`: `node.get` of a missing key is None, and `_get(None, rest)` is None",
    "sync.paths.x_deep_merge__mutmut_3":
        "a shallow copy of `base`: every caller serializes the result (a fake's store, a request) or builds `base` "
        "afresh, and nothing changes either in place afterwards",
    "sync.paths.x_deep_merge__mutmut_12":
        "a shallow copy of a replacing value: as deep_merge__mutmut_3, nothing changes it in place afterwards",
    "sync.matching.xǁMergeIndexǁfind__mutmut_9":
        "`hit is not None or hit != exclude`: no caller passes `exclude`, and with it None that is `hit is not None`",
    # Issue 26, point 4 (each read against the code it mutates):
    "sync.coercion.x__string__mutmut_7":
        "`str(value)` for a float: a float's str is its repr (float defines no __str__; object.__str__ calls repr)",
    "sync.coercion.x__string__mutmut_8":
        "`repr(value)` for an int (bools returned above): int defines no __str__, so its str is its repr",
    "sync.engine.x__id_order__mutmut_5":
        "`(2, rid)` for an id that is not all digits: it still sorts after every `(0, n)`, and among themselves such "
        "ids compare by `rid` alone, as with `(1, rid)`",
    "sync.engine.xǁSyncEngineǁ_synchronize__mutmut_18":
        "`range(STALE_RETRIES + 2)`: every attempt ends the loop (`break`) or raises (StaleRecord is re-raised at "
        "attempt STALE_RETRIES), so the extra attempt is never reached",
    "sync.paths.x__get__mutmut_7":
        "`len(parts) >= 1`: for one part the new branch returns `node[part]` only when `part in node`, which is what "
        "`_get(node.get(part), [])` returns there; otherwise both fall through to None",
    "sync.paths.x__set_items__mutmut_2":
        "`items.append(None)` while growing the list: every index appended is below len(value), so among the targets, "
        "and the loop replaces a non-object item by {} before writing into it",
    "sync.paths.x__set_items__mutmut_11":
        "`items.append(None)` into an empty list: index 0 is then the one target, and the loop replaces the None by {} "
        "before writing into it",
    "sync.engine.xǁSyncEngineǁ_connected__mutmut_13":
        "`entry.get('results', None)`: `results or ()` reads None as no results, as it reads `[]` "
        "(as _connected__mutmut_15)",
    "sync.engine.xǁSyncEngineǁ_finish_intents__mutmut_41":
        "`source.get(sid, )`, i.e. default None: an intent's source is always among the seen records "
        "(as _finish_intents__mutmut_39)",
    "sync.engine.xǁSyncEngineǁ_find_unkeyed__mutmut_40":
        "`source.get(sid, None)`: an intent's source is always among the seen records (as _find_unkeyed__mutmut_42)",
    "sync.engine.xǁSyncEngineǁ_commit_created__mutmut_7":
        "a created link's origin None (the column allows NULL): no code reads the origin back "
        "(as _commit_created__mutmut_12)",
    "sync.engine.xǁSyncEngineǁ_commit_created__mutmut_13":
        "a created link's origin spelled \"CREATED\": no code reads the origin back (as _commit_created__mutmut_12)",
    "sync.engine.xǁSyncEngineǁ_link_by_merge_keys__mutmut_26":
        "a merged link's origin None (the column allows NULL): no code reads the origin back "
        "(as _commit_created__mutmut_12)",
    "sync.engine.xǁSyncEngineǁ_link_by_merge_keys__mutmut_31":
        "a merged link's origin spelled \"XXmergedXX\": no code reads the origin back (as _commit_created__mutmut_12)",
    "sync.engine.xǁSyncEngineǁ_link_by_merge_keys__mutmut_32":
        "a merged link's origin spelled \"MERGED\": no code reads the origin back (as _commit_created__mutmut_12)",
    "sync.engine.xǁSyncEngineǁ_handle_source__mutmut_4":
        "the revisit row of a source with no seen record deleted under mapping None (a no-op): there is none to "
        "delete, since a source is put to revisit only after its record was found among the seen rows "
        "(`_handle_source` past this branch, `_finished` for an intent `_create` planned from one), and seen rows "
        "are never deleted nor emptied",
    "sync.engine.xǁSyncEngineǁ_handle_source__mutmut_5":
        "the same deletion under source id None (a no-op): there is no row to delete (as _handle_source__mutmut_4)",
    "sync.engine.xǁSyncEngineǁ_find_or_resend__mutmut_29":
        "the status of a create left unknown after its resends: `_handle_source` reports its message and code, and "
        "nothing else reads it (as _find_or_resend__mutmut_9)",
}

RULES = ("engine", "reconcile", "paths", "coercion", "matching")

_RESULT = re.compile(r"^\s*(\S+): (.+)$")


def _copy_project(workdir: Path, selection: list[str], mutate: list[str]) -> None:
    """A fresh copy of the tracked files, with the mutmut test selection of one suite."""
    if workdir.exists():
        shutil.rmtree(workdir)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, workdir / name)
    pyproject = workdir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^pytest_add_cli_args_test_selection = .*$",
                  f"pytest_add_cli_args_test_selection = {selection!r}".replace("'", '"'), text)
    text = re.sub(r"(?m)^only_mutate = .*$", f"only_mutate = {mutate!r}".replace("'", '"'), text)
    pyproject.write_text(text, encoding="utf-8")


def _sample_patterns(sample: int, most: int = 400) -> list[str]:
    return [f"*__mutmut_{n}" for n in range(sample, most + 1, sample)] if sample > 1 else []


def _mutated(args: argparse.Namespace) -> list[str]:
    return ["sync/*"] if args.all_sync else [f"sync/{module}.py" for module in args.modules]


def run_suite(name: str, args: argparse.Namespace) -> dict[str, int | float]:
    workdir = ROOT / ".mutation" / name
    _copy_project(workdir, SUITES[name], _mutated(args))
    started = time.monotonic()
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children),
               *_sample_patterns(args.sample)]
    with open(workdir / "mutmut-run.log", "w", encoding="utf-8") as log:
        status = subprocess.run(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    elapsed = time.monotonic() - started
    if status != 0:  # e.g. mutmut not installed: a score of 0 would say the suite caught nothing
        raise SystemExit(f"mutation.py: mutmut exited {status} for the {name} suite (pip install -e '.[bench]'?); "
                         f"see {workdir / 'mutmut-run.log'}")
    if "failed to collect stats" in (workdir / "mutmut-run.log").read_text(encoding="utf-8"):
        raise SystemExit(f"mutation.py: the {name} suite fails without any mutant; see {workdir / 'mutmut-run.log'}")
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=workdir,
                             capture_output=True, text=True, check=False).stdout
    counts = {"killed": 0, "survived": 0, "no tests": 0, "timeout": 0, "other": 0, "equivalent": 0}
    survivors = []
    for line in listing.splitlines():
        match = _RESULT.match(line)
        if not match:
            continue
        mutant, status = match.groups()
        if status == "not checked":
            continue  # outside the sample
        if mutant in EQUIVALENT:
            counts["equivalent"] += 1
        elif status in ("killed", "survived", "no tests", "timeout"):
            counts[status] += 1
            if status != "killed":
                survivors.append(f"{mutant}: {status}")
        else:
            counts["other"] += 1
    (workdir / "survivors.txt").write_text("\n".join(survivors) + "\n", encoding="utf-8")
    checked = counts["killed"] + counts["survived"] + counts["no tests"] + counts["timeout"]
    # A timeout means the tests noticed the mutant (a pass that never ends): counted as killed.
    killed = counts["killed"] + counts["timeout"]
    return {**counts, "checked": checked, "score": killed / checked if checked else 0.0, "seconds": elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all-sync", action="store_true", help="mutate every module of sync/, not only the engine")
    parser.add_argument("--modules", nargs="+", default=list(RULES), metavar="MODULE",
                        help=f"modules of sync/ to mutate (default: {' '.join(RULES)})")
    parser.add_argument("--sample", type=int, default=1, help="run every N-th mutant of each function (default: all)")
    parser.add_argument("--suite", choices=("generated", "tests", "both"), default="both")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args(argv)
    names = list(SUITES) if args.suite == "both" else [args.suite]
    results = {name: run_suite(name, args) for name in names}
    scope = " + ".join(_mutated(args))
    sample = f", every {args.sample}th mutant of each function" if args.sample > 1 else ""
    print(f"mutmut over {scope}{sample}; equivalent mutants excluded: {len(EQUIVALENT)}")
    print(f"{'suite':<12}{'killed':>8}{'survived':>10}{'no tests':>10}{'timeout':>9}{'score':>8}{'time':>9}")
    for name, r in results.items():
        print(f"{name:<12}{r['killed']:>8}{r['survived']:>10}{r['no tests']:>10}{r['timeout']:>9}"
              f"{r['score']:>8.1%}{r['seconds'] / 60:>8.1f}m")
    if len(results) == 2:
        print(f"generated / tests score ratio: {results['generated']['score'] / (results['tests']['score'] or 1):.2f}")
    print("survivors: .mutation/<suite>/survivors.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
