"""Renders the report data as one self-contained HTML file (CSS and JS inline, nothing fetched).

The page puts what needs attention first: documents with failures at the top (open), and within
a document its failing sections and items first; the JSON keeps document order.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

LABELS = {"passed": "verified", "failed": "failed", "skipped": "not verifiable", "not_testable": "not run"}
HISTORY = (("newly_failing", "Newly failing"), ("fixed", "Fixed"), ("new", "New"), ("removed", "Removed"))
STALE_MARK = "<!--qa-checklist:stale-->"  # where `reportfile.mark_stale` puts its banner


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # spec text such as <script> must show as text
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _failing_first(entries: list[dict], rank) -> list[dict]:
    return sorted(entries, key=rank)  # stable: document order otherwise


def _item_rank(item: dict) -> tuple[bool, bool]:
    # failures first, and a cause before the failures grouped under it
    return item["status"] != "failed", bool(item["grouped_under"])


def _view(dataflows: list[dict]) -> list[dict]:
    view = []
    for dataflow in _failing_first(dataflows, lambda d: not d["summary"]["failed"]):
        mappings = [{**m, "items": _failing_first(m["items"], _item_rank)}
                    for m in _failing_first(dataflow["mappings"],
                                            lambda m: not any(i["status"] == "failed" for i in m["items"]))]
        view.append({**dataflow, "mappings": mappings})
    return view


def _anchors(report: dict[str, Any]) -> dict[str, str]:
    """An HTML id for every item something links to: failed items and those the history lists."""
    linked = [i["id"] for d in report["dataflows"] for m in d["mappings"] for i in m["items"] if i["status"] == "failed"]
    for key, _title in HISTORY:
        linked.extend(entry["id"] for entry in (report.get("history") or {}).get(key, []))
    return {item_id: f"item-{number}" for number, item_id in enumerate(dict.fromkeys(linked))}


def render_html(report: dict[str, Any]) -> str:
    items = {i["id"]: i for d in report["dataflows"] for m in d["mappings"] for i in m["items"]}
    return _environment().get_template("report.html.jinja").render(
        summary=report["summary"], dataflows=_view(report["dataflows"]), labels=LABELS,
        run=report.get("run") or {}, history=report.get("history"), history_kinds=HISTORY,
        anchors=_anchors(report), items=items, stale_mark=STALE_MARK,
    )
