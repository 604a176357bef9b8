"""Times statement recognition and a whole document on hostile input, against the patterns it replaced.

    python benchmarks/hostile_bench.py [--old-up-to 100]

A paragraph repeating the merge-or-create sentence n times without its final period: the old
anchored patterns with nested lazy groups (kept in tests/parser/test_statement_scaling.py as
the oracle) grow about as n^3.4, so they are timed only up to `--old-up-to`; the new recogniser
is timed side by side at the same n and alone up to 10,000. Then a document with that
paragraph (one sentence a line) and one with 2,000 sections go through `regenerate-tests`.
The last line is JSON.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.cli import main as regenerate_tests  # noqa: E402
from generator.limits import MAX_SECTIONS  # noqa: E402
from generator.statements import recognise  # noqa: E402
from tests.hostile.documents import document, section  # noqa: E402
from tests.parser.test_statement_scaling import oracle  # noqa: E402

SENTENCE = ("If a matching Beta Customer already exists, the Acme Person will be merged with the existing one. "
            "If no matching Beta Customer is found, a new Beta Customer will be created ")


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def regenerate_seconds(text: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        specs = Path(folder) / "specs"
        specs.mkdir()
        (specs / "acme-beta.rst").write_text(text)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            started = time.perf_counter()
            code = regenerate_tests(["--specs", str(specs), "--out", str(Path(folder) / "out"), "--no-cache"])
        return time.perf_counter() - started, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-up-to", type=int, default=100)
    args = parser.parse_args()
    results: dict[str, object] = {"recognise": []}
    for n in (25, 50, 100, 200, 1_000, 10_000):
        paragraph = SENTENCE * n
        new = timed(recognise, paragraph)
        old = timed(oracle, paragraph) if n <= args.old_up_to else None
        ratio = f"{old / new:,.0f} x" if old else "-"
        print(f"n={n:>6}: new {new * 1000:8.2f} ms   old {'%8.2f s' % old if old else '   (not run)'}   old/new {ratio}")
        results["recognise"].append({"n": n, "new_s": new, "old_s": old})
    paragraph = "\n".join([SENTENCE.strip()] * 10_000) + "\n\n"
    seconds, code = regenerate_seconds(document(section(body=paragraph)))
    print(f"regenerate-tests, a 10,000-sentence paragraph: {seconds:.2f} s (exit {code})")
    results["paragraph_document_s"] = seconds
    sections = document(*(section(f"P{i}") for i in range(MAX_SECTIONS - 2)))
    seconds, code = regenerate_seconds(sections)
    print(f"regenerate-tests, {MAX_SECTIONS:,} sections (the limit): {seconds:.2f} s (exit {code})")
    results["limit_sections_document_s"] = seconds
    print(json.dumps(results))


if __name__ == "__main__":
    main()
