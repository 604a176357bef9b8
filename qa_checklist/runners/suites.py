"""Where `qa-checklist` puts the suite of a specs folder, so that a run never rewrites a suite
generated from other documents.

The committed suite (`generated_tests/`) is the suite of `specs/` only. Any other specs folder
(`specs/examples`, an empty folder) gets a suite of its own in `.cache/qa-checklist/<hash>/`,
unless `--out` names one (the writer refuses one holding the suite of a differently named specs
folder).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

DEFAULT_SPECS = Path("specs")
DEFAULT_OUT = Path("generated_tests")
CACHE = Path(".cache") / "qa-checklist"


def suite_folder(specs: Path, out: Path | None) -> tuple[Path, str | None]:
    """The folder to generate `specs`' suite into, and a note saying why when it is not the one asked for."""
    if out is not None:
        return out, None  # `write_tree` refuses a folder holding the suite of other specs
    if specs.resolve() == DEFAULT_SPECS.resolve():
        return DEFAULT_OUT, None
    digest = hashlib.sha256(str(specs.resolve()).encode()).hexdigest()[:12]
    folder = CACHE / f"suite-{digest}"
    return folder, (f"{specs} is not the committed suite's specs ({DEFAULT_SPECS}): its suite goes to {folder}, "
                    f"and {DEFAULT_OUT} is left alone (--out PATH to choose)")
