"""The report on disk: HTML at PATH and JSON beside it, each replaced whole or not at all.

A report that no longer describes the specs and suite on disk says so (`run.stale`): `qa-checklist`
marks it when the specs could not be read, and a run marks the previous report when it starts,
so that one which never finishes leaves no report looking current.

The JSON is strict (no NaN or Infinity, which other readers refuse). A report that cannot be
written (a read-only or full folder) is a ReportWriteError of one line, with no partial file left.
"""
from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from .html import STALE_MARK, render_html


class ReportWriteError(Exception):
    """The report could not be written; the message is one line naming the file and why."""


def json_path(path: Path) -> Path:
    return path.with_suffix(".json")


def read_report(path: Path) -> dict[str, Any] | None:
    """The report's data (from the JSON beside an HTML path, or a JSON path itself); None when absent or unreadable."""
    source = path if path.suffix == ".json" else json_path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "dataflows" in data else None


def write_report(path: Path, report: dict[str, Any]) -> None:
    """The JSON beside `path`, and the HTML at `path` unless `path` is itself the JSON (a part to merge).

    Both are written in full before either replaces the one before it: a folder that fills up or
    refuses writes leaves the previous report as it was (ReportWriteError)."""
    texts = {json_path(path): _json(report)}
    if path.suffix != ".json":
        texts[path] = render_html(report)
    _replace_all(texts)


def _json(report: dict[str, Any]) -> str:
    try:
        return json.dumps(report, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as error:  # a NaN or an infinity: strict JSON has neither
        raise ReportWriteError(f"the report holds a number JSON cannot (NaN or Infinity): {error}") from None


def check_writable(path: Path) -> None:
    """Raises ReportWriteError unless a report can be written at `path` (its folder exists or can be made,
    and takes a file): said before a run, not after its tests."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".{path.name}.{os.getpid()}.probe"
        probe.write_bytes(b"x")
        probe.unlink()
    except OSError as error:
        raise ReportWriteError(f"cannot write the report in {folder}: {error.strerror or error}") from None


def mark_stale(path: Path, reason: str) -> bool:
    """Mark an existing report stale, with the reason, in its JSON and its HTML; False when there is none."""
    report = read_report(path)
    if report is None:
        return False
    if not isinstance(report.get("run"), dict):
        report["run"] = {}
    report["run"]["stale"] = reason
    texts = {json_path(path): json.dumps(report, indent=1, ensure_ascii=False) + "\n"}
    if path.suffix != ".json":
        try:
            page = path.read_text(encoding="utf-8")
        except OSError:
            page = None
        if page is not None:
            banner = f'<p class="stale" id="stale" role="alert"><b>Stale report.</b> {html.escape(reason)}</p>'
            # Only the banner changes: a large report is not rendered again (nor one an older version wrote).
            mark = STALE_MARK if STALE_MARK in page else "<body>"
            texts[path] = page.replace(mark, banner if mark == STALE_MARK else f"{mark}\n{banner}", 1)
    try:
        _replace_all(texts)
    except ReportWriteError:
        return False  # a folder that takes no writes: the run itself says so, when it writes its own report
    return True


RUNNING = "has not finished (still running, or stopped): this report is from an earlier run"


def mark_running(path: Path, started_at: str) -> bool:
    """Mark the report at `path` stale while a run that will replace it has not finished."""
    return mark_stale(path, f"a run started at {started_at} {RUNNING}")


def marked_running(report: dict[str, Any]) -> bool:
    """Whether `report` is an earlier run's that `mark_running` marked (and no run has replaced since)."""
    stale = (report.get("run") or {}).get("stale") if isinstance(report.get("run"), dict) else None
    return isinstance(stale, str) and stale.endswith(RUNNING)


def snapshot(path: Path) -> dict[Path, bytes]:
    """The report's files as they are now (for `restore`); none that cannot be read."""
    files = {}
    for file in (json_path(path), path):
        try:
            files[file] = file.read_bytes()
        except OSError:
            pass
    return files


def restore(files: dict[Path, bytes]) -> None:
    """The files as `snapshot` found them (a run that ran nothing leaves the report unmarked); quietly
    leaves them as they are when that fails."""
    try:
        _replace_all({file: data for file, data in files.items()})
    except ReportWriteError:
        pass


def _replace_all(texts: dict[Path, str | bytes]) -> None:
    """Each file replaced whole by its text; on a failure, no temporary file is left and none is replaced."""
    if not texts:
        return
    temporaries: dict[Path, Path] = {}
    target = next(iter(texts))
    try:
        for target, text in texts.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Named per process: two runs writing one report never write into each other's file.
            temporaries[target] = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            if isinstance(text, bytes):
                temporaries[target].write_bytes(text)
            else:
                temporaries[target].write_text(text, encoding="utf-8")
        for target, temporary in temporaries.items():
            temporary.replace(target)  # `target`: the file named if this fails
    except BaseException as error:  # a full disk, a read-only folder, or Ctrl-C: no temporary file is left
        for temporary in temporaries.values():
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
        if isinstance(error, OSError):
            raise ReportWriteError(f"cannot write the report {target}: {error.strerror or error}") from None
        raise
