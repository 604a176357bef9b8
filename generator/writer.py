"""Writes a generated suite as one change: the previous tree stays whole if anything fails.

The output folder is the generator's own: a file in it that the generator did not write (not
named by its manifest, nor one of its package `__init__.py` files) makes a run refuse, naming
the file, rather than drop it. A run holds a lock beside the folder, so a second one into the
same folder waits for it; staging folders left by a killed run are removed; the folder keeps
its permissions across the swap.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from .render import INIT_TEXT, MANIFEST

LOCK_WAIT_SECONDS = 300.0  # how long a second run into one folder waits before giving up
_LOCK_POLL_SECONDS = 0.1


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
        if not p.is_dir() and "__pycache__" not in p.parts
    }


def diff_tree(out: Path, files: dict[str, str], existing: dict[str, Path] | None = None) -> TreeDiff:
    existing = _existing(out) if existing is None else existing
    added = tuple(sorted(set(files) - set(existing)))
    removed = tuple(sorted(set(existing) - set(files)))
    changed = tuple(sorted(p for p in set(files) & set(existing)
                           if existing[p].read_text(encoding="utf-8", errors="replace") != files[p]))
    return TreeDiff(added, changed, removed)


def foreign_files(out: Path, existing: dict[str, Path] | None = None) -> list[str]:
    """Files in `out` the generator did not write: not its manifest, not a module the manifest
    names, not a package `__init__.py` with the generator's text."""
    existing = _existing(out) if existing is None else existing
    owned = _modules_named(_reads(existing[MANIFEST]) or "") if MANIFEST in existing else set()
    owned.add(MANIFEST)
    return sorted(name for name, path in existing.items()
                  if name not in owned and not (path.name == "__init__.py" and _reads(path) == INIT_TEXT))


def _reads(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


# The manifest as `render.assemble_suite` writes it: its specs folder first, then a document a line. A JSON
# string holds no unescaped quote, so these keys cannot be matched inside a value; the warm run (nothing to
# write) no longer decodes the whole manifest three times. Any other text is decoded whole.
_PREFIX = re.compile(r'\{"spec_prefix": ("(?:[^"\\]|\\.)*"), "documents": \[\n')
_MODULE = re.compile(r'"module": ("(?:[^"\\]|\\.)*")')


def _ours(manifest_text: str) -> re.Match | None:
    return _PREFIX.match(manifest_text) if manifest_text.endswith("\n]}\n") else None


def _modules_named(manifest_text: str) -> set[str]:
    """The modules a manifest names; none for one that cannot be read (it vouches for nothing)."""
    if _ours(manifest_text):
        try:
            return {json.loads(found) for found in _MODULE.findall(manifest_text)}
        except ValueError:
            pass  # not as the renderer writes it after all: decoded whole below
    try:
        manifest = json.loads(manifest_text)
        return {m["module"] for d in manifest.get("documents", []) for m in d.get("mappings", [])}
    except (ValueError, TypeError, KeyError, AttributeError):
        return set()


def _specs_folder(manifest_text: str) -> str | None:
    found = _ours(manifest_text)
    if found:
        return json.loads(found.group(1))
    try:
        data = json.loads(manifest_text)
    except ValueError:
        return None
    return data.get("spec_prefix") if isinstance(data, dict) else None


def write_tree(out: Path, files: dict[str, str]) -> TreeDiff:
    """Make `out` hold exactly `files`; a no-op when it already does. Call it under `output_lock`."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputNotGenerated(f"{out}: not a folder; refusing to replace it")
    _remove_stale_staging(out)
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise OutputNotGenerated(f"{out}: the folder holds files but no {MANIFEST}; refusing to replace it")
    existing = _existing(out)
    foreign = foreign_files(out, existing)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputNotGenerated(f"{out}: holds files regenerate-tests did not write ({shown}); "
                                 "move them out of the folder, then run again")
    if (out / MANIFEST).is_file() and MANIFEST in files:
        # A suite is only rewritten from its own specs: `--specs specs/examples` must not empty `generated_tests`.
        held = _specs_folder((out / MANIFEST).read_text(encoding="utf-8", errors="replace"))
        wanted = _specs_folder(files[MANIFEST])
        if held is not None and held != wanted:
            raise OutputNotGenerated(f"{out} holds the suite of a specs folder named {held.rstrip('/')!r}, not "
                                     f"{(wanted or '').rstrip('/')!r}; choose another --out (or remove {out} first)")
    diff = diff_tree(out, files, existing)
    if diff.clean:
        return diff
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(out.stat().st_mode) if out.exists() else 0o777 & ~_umask()
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        os.chmod(staging, mode)  # mkdtemp makes it 0700; the folder keeps the mode it had
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


def _remove_stale_staging(out: Path) -> None:
    # Under the lock no other run is writing: any staging folder is left by one that was killed.
    if not out.parent.is_dir():
        return
    for stale in [*out.parent.glob(f".{out.name}.new-*"), out.parent / f".{out.name}.old"]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputBusy(Exception):
    """The output folder's lock cannot be had: another run holds it too long, or it cannot be made."""


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        held, named = os.fstat(handle.fileno()), os.stat(path)
        return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)
    except OSError:
        return False


def lock_path(out: Path) -> Path:
    """The lock file of an output folder: beside it, since the folder itself is swapped."""
    return out.parent / f".{out.name}.lock"


@contextmanager
def output_lock(out: Path, wait: float | None = None) -> Iterator[None]:
    """Holds `out`'s lock (an flock, released by the system should the process die); waits for a
    run that holds it, saying so once, up to `wait` seconds (default `LOCK_WAIT_SECONDS`).

    The lock file is removed when the lock is released, so none is left beside the folder; a run that
    locked a file another run had just removed sees that it is no longer the one at the path, and
    takes the lock again."""
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    path = lock_path(out)
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a")
        except OSError as error:
            raise OutputBusy(f"{out}: cannot make the lock file {path}: {error.strerror}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            if time.monotonic() >= deadline:
                raise OutputBusy(f"{out}: another regenerate-tests is writing this folder (lock {path} held "
                                 f"for over {wait:g} s); try again when it has finished") from None
            if not told:
                print(f"regenerate-tests: waiting for another regenerate-tests writing {out}", file=sys.stderr)
                told = True
            time.sleep(_LOCK_POLL_SECONDS)
            continue
        if _same_file(handle, path):
            break
        handle.close()  # locked a file the last holder removed on its way out: the lock is the one at the path
        if time.monotonic() >= deadline:
            raise OutputBusy(f"{out}: the lock file {path} keeps changing under this run; try again")
    with handle:
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()  # while still held: a run waiting on it then finds it gone and makes its own
            fcntl.flock(handle, fcntl.LOCK_UN)
