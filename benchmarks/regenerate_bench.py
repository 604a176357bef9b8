"""Times `regenerate-tests` cold and warm against plain `docutils.core.publish_doctree`, side by side.

    python benchmarks/regenerate_bench.py [--specs ../shared/corpus-sample] [--copies 10] [--jobs N]

The documents are copied `--copies` times under distinct names (a publisher-sized folder from
a sample); every timing is taken in this run, on this machine, so the ratios compare like with
like. Goals: cold <= 0.5 x publish_doctree, warm (nothing changed) <= 0.03 x. The last line is JSON.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

from docutils.core import publish_doctree

from generator.cli import main as regenerate_tests

REPO = Path(__file__).resolve().parents[1]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=REPO.parent / "shared" / "corpus-sample")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=None)
    return parser.parse_args()


def _copy_specs(source: Path, target: Path, copies: int) -> list[Path]:
    target.mkdir(parents=True)
    for number in range(copies):
        for path in sorted(source.rglob("*.rst")):
            # "<source>-<target>-<n>.rst" keeps the file-name fallback for blank system names intact
            (target / f"{path.stem}-{number}.rst").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return sorted(target.glob("*.rst"))


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _publish_all(files: list[Path]) -> None:
    for path in files:
        publish_doctree(path.read_text(encoding="utf-8"), source_path=str(path),
                        settings_overrides={"report_level": 5, "halt_level": 5})


def _regenerate(specs: Path, out: Path, cache: Path, jobs: int | None) -> None:
    argv = ["--specs", str(specs), "--out", str(out), "--cache", str(cache)]
    if jobs:
        argv += ["--jobs", str(jobs)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = regenerate_tests(argv)
    if status != 0:
        sys.exit(f"regenerate-tests exited {status}")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        if not args.specs.is_dir() or not any(args.specs.rglob("*.rst")):
            sys.exit(f"regenerate_bench.py: {args.specs} holds no *.rst documents; nothing to measure "
                     "(--specs FOLDER, e.g. specs)")
        files = _copy_specs(args.specs, root / "specs", args.copies)
        baseline = _timed(lambda: _publish_all(files))
        cold = _timed(lambda: _regenerate(root / "specs", root / "out", root / "cache", args.jobs))
        warm = _timed(lambda: _regenerate(root / "specs", root / "out", root / "cache", args.jobs))
        modules = len(list((root / "out").rglob("test_*.py")))
    result = {
        "documents": len(files), "modules": modules, "publish_doctree_s": round(baseline, 3),
        "cold_s": round(cold, 3), "warm_s": round(warm, 3),
        "cold_ratio": round(cold / baseline, 3), "warm_ratio": round(warm / baseline, 3),
    }
    print(f"{'':<28}{'seconds':>10}{'x publish_doctree':>20}")
    print(f"{'publish_doctree (baseline)':<28}{baseline:>10.3f}{1:>20.2f}")
    print(f"{'regenerate-tests, cold':<28}{cold:>10.3f}{cold / baseline:>20.3f}   goal <= 0.5")
    print(f"{'regenerate-tests, warm':<28}{warm:>10.3f}{warm / baseline:>20.3f}   goal <= 0.03")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
