"""Root-cause grouping: failed items whose tests name another item as their cause are shown under it.

An item's `cause` is what its failing tests said (`shared/causes.py`); `grouped_under` is the failed item
the report shows it under: the cause itself when that item failed, else the first failed item (in
document order) naming the same cause. Chains resolve to their root. `grouped` lists, on that
item, every item shown under it.
"""
from __future__ import annotations

from typing import Any


def group_by_cause(dataflows: list[dict[str, Any]]) -> None:
    every = [i for d in dataflows for m in d["mappings"] for i in m["items"]]
    for item in every:
        item["grouped_under"] = None
        item["grouped"] = []
    failed = [i for i in every if i["status"] == "failed"]
    if not any(i.get("cause") for i in failed):
        return
    items = {i["id"]: i for i in every}
    leaders: dict[str, str] = {}
    for item in failed:
        cause = item.get("cause")
        if not cause:
            continue
        if cause in items and items[cause]["status"] == "failed":
            leaders[cause] = cause
        leader = leaders.setdefault(cause, item["id"])
        if leader != item["id"]:
            item["grouped_under"] = leader
    order = {item_id: number for number, item_id in enumerate(items)}
    roots = {}
    for item in failed:
        chain = [item["id"]]
        while items[chain[-1]]["grouped_under"] and items[chain[-1]]["grouped_under"] not in chain:
            chain.append(items[chain[-1]]["grouped_under"])
        last = items[chain[-1]]["grouped_under"]
        # A cycle (each names the other) has no root of its own: its first item in document order leads.
        root = chain[-1] if last is None else min(chain[chain.index(last):], key=order.__getitem__)
        roots[item["id"]] = root if root != item["id"] else None
    for item in failed:
        item["grouped_under"] = roots[item["id"]]
    for item in failed:
        if item["grouped_under"]:
            items[item["grouped_under"]]["grouped"].append(item["id"])
