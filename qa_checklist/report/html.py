"""Renders the report data as one self-contained HTML file (CSS and JS inline, nothing fetched).

The page puts what needs attention first: the failures' clusters across documents (largest
first, each linking to its items), what newly fails grouped the same way, then the index;
documents with failures at the top (open), and within a document its failing sections and items
first; the JSON keeps document order.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

LABELS = {"passed": "verified", "failed": "failed", "skipped": "not verifiable", "not_testable": "not run"}
HISTORY = (("newly_failing", "Newly failing"), ("fixed", "Fixed"), ("new", "New"), ("removed", "Removed"))
STALE_MARK = "<!--qa-checklist:stale-->"  # where `file.mark_stale` puts its banner


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


def _short_ids(dataflows: list[dict]) -> dict[str, str]:
    """An item's id without its document's part (`contact-to-customer/property/a-to-b`): beside its document's name."""
    return {i["id"]: f"{m['id'].rsplit('/', 1)[-1]}/{i['id'][len(m['id']) + 1:]}" if i["id"].startswith(m["id"] + "/")
            else i["id"] for d in dataflows for m in d["mappings"] for i in m["items"]}


def _cluster_view(report: dict[str, Any], items: dict[str, dict]) -> list[dict]:
    """Each cluster with its items by document, in the order the cluster lists them."""
    view = []
    for cluster in report.get("clusters") or []:
        documents: dict[str, list[str]] = {}
        for item_id in cluster["items"]:
            if item_id in items:
                documents.setdefault(items[item_id]["file"], []).append(item_id)
        view.append({**cluster, "by_document": list(documents.items())})
    return view


def _newly_failing_by_cluster(report: dict[str, Any]) -> list[dict]:
    """The history's newly failing items, grouped as the clusters group them (largest cluster first)."""
    entries = ((report.get("history") or {}).get("newly_failing")) or []
    cluster_of = {item_id: number for number, c in enumerate(report.get("clusters") or []) for item_id in c["items"]}
    groups: dict[int, list[dict]] = {}
    for entry in entries:
        groups.setdefault(cluster_of.get(entry["id"], len(cluster_of) + 1), []).append(entry)
    clusters = report.get("clusters") or []
    return [{"signature": clusters[number]["signature"] if number < len(clusters) else "other failures",
             "check": clusters[number]["check"] if number < len(clusters) else "",
             "entries": group}
            for number, group in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))]


def render_html(report: dict[str, Any]) -> str:
    items = {i["id"]: i for d in report["dataflows"] for m in d["mappings"] for i in m["items"]}
    return _environment().get_template("report.html.jinja").render(
        summary=report["summary"], dataflows=_view(report["dataflows"]), labels=LABELS,
        run=report.get("run") or {}, history=report.get("history"), history_kinds=HISTORY,
        anchors=_anchors(report), items=items, stale_mark=STALE_MARK,
        clusters=_cluster_view(report, items), short_ids=_short_ids(report["dataflows"]),
        newly_failing=_newly_failing_by_cluster(report), reasons=report.get("not_verifiable_reasons") or [],
    )
