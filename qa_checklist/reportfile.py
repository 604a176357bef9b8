"""The report on disk: HTML at PATH and JSON beside it, each replaced whole or not at all.

A report that no longer describes the specs and suite on disk says so (`run.stale`): `qa-checklist`
marks it when the specs could not be read, and a run marks the previous report when it starts,
so that one which never finishes leaves no report looking current.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from .html import STALE_MARK, render_html


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
    """The JSON beside `path`, and the HTML at `path` unless `path` is itself the JSON (a part to merge)."""
    _replace(json_path(path), json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    if path.suffix != ".json":
        _replace(path, render_html(report))


def mark_stale(path: Path, reason: str) -> bool:
    """Mark an existing report stale, with the reason, in its JSON and its HTML; False when there is none."""
    report = read_report(path)
    if report is None:
        return False
    report.setdefault("run", {})["stale"] = reason
    _replace(json_path(path), json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    if path.suffix == ".json":
        return True
    try:
        page = path.read_text(encoding="utf-8")
    except OSError:
        return True
    banner = f'<p class="stale" id="stale" role="alert"><b>Stale report.</b> {html.escape(reason)}</p>'
    # Only the banner changes: a large report is not rendered again (nor one an older version wrote).
    mark = STALE_MARK if STALE_MARK in page else "<body>"
    _replace(path, page.replace(mark, banner if mark == STALE_MARK else f"{mark}\n{banner}", 1))
    return True


def mark_running(path: Path, started_at: str) -> bool:
    """Mark the report at `path` stale while a run that will replace it has not finished."""
    return mark_stale(path, f"a run started at {started_at} has not finished (still running, or stopped): "
                            "this report is from an earlier run")


def _replace(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
