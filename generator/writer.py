"""Writes a generated suite as one change: the previous tree stays whole if anything fails."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .render import MANIFEST


@dataclass(frozen=True, slots=True)
class TreeDiff:
    """How a folder differs from the suite that should be there."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.added or self.changed or self.removed)


class OutputNotGenerated(Exception):
    """The output folder holds files this tool did not write: it will not overwrite them."""


def _existing(out: Path) -> dict[str, Path]:
    if not out.is_dir():
        return {}
    return {
        p.relative_to(out).as_posix(): p
        for p in out.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".json")
    }


def diff_tree(out: Path, files: dict[str, str]) -> TreeDiff:
    existing = _existing(out)
    added = tuple(sorted(set(files) - set(existing)))
    removed = tuple(sorted(set(existing) - set(files)))
    changed = tuple(sorted(p for p in set(files) & set(existing)
                           if existing[p].read_text(encoding="utf-8", errors="replace") != files[p]))
    return TreeDiff(added, changed, removed)


def write_tree(out: Path, files: dict[str, str]) -> TreeDiff:
    """Make `out` hold exactly `files`; a no-op when it already does."""
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise OutputNotGenerated(f"{out}: the folder holds files but no {MANIFEST}; refusing to replace it")
    diff = diff_tree(out, files)
    if diff.clean:
        return diff
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        previous = out.parent / f".{out.name}.old"
        if previous.exists():
            shutil.rmtree(previous)
        if out.exists():
            out.rename(previous)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(previous, ignore_errors=True)
    return diff
