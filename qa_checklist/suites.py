"""Where `qa-checklist` puts the suite of a specs folder, so that a run never rewrites a suite
generated from other documents.

The committed suite (`generated_tests/`) is the suite of `specs/` only. Any other specs folder
(`specs/examples`, an empty folder) gets a suite of its own in `.cache/qa-checklist/<hash>/`,
unless `--out` names one; an `--out` holding the suite of a differently named specs folder is
refused rather than replaced.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.cli import spec_prefix
from generator.render import MANIFEST

DEFAULT_SPECS = Path("specs")
DEFAULT_OUT = Path("generated_tests")
CACHE = Path(".cache") / "qa-checklist"


class ForeignSuite(Exception):
    """The output folder holds the suite of other specs."""


def suite_folder(specs: Path, out: Path | None) -> tuple[Path, str | None]:
    """The folder to generate `specs`' suite into, and a note saying why when it is not the one asked for."""
    if out is None:
        if specs.resolve() == DEFAULT_SPECS.resolve():
            return DEFAULT_OUT, None
        digest = hashlib.sha256(str(specs.resolve()).encode()).hexdigest()[:12]
        folder = CACHE / f"suite-{digest}"
        return folder, (f"{specs} is not the committed suite's specs ({DEFAULT_SPECS}): its suite goes to {folder}, "
                        f"and {DEFAULT_OUT} is left alone (--out PATH to choose)")
    owner = _specs_of(out)
    if owner is not None and owner != spec_prefix(specs):
        raise ForeignSuite(f"{out} holds the suite of a specs folder named {owner.rstrip('/')!r}, not of {specs}; "
                           f"choose another --out, or leave --out out to use {CACHE}/")
    return out, None


def _specs_of(out: Path) -> str | None:
    """The specs folder name an existing suite was generated from (None when there is no suite)."""
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("spec_prefix")
    except (OSError, ValueError):
        return None
