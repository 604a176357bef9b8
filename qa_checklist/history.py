"""How a report differs from an earlier one (the previous report at the same path, or `--qa-baseline`).

Items are matched by id, which is derived from what they say (`generator/checklist.py`), so an
inserted row shows as one new item, not as every later row renamed.
"""
from __future__ import annotations

from typing import Any, Iterator


def _items(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for dataflow in report.get("dataflows", []):
        for mapping in dataflow.get("mappings", []):
            yield from mapping.get("items", [])


def compare(baseline: dict[str, Any], current: dict[str, Any], source: str) -> dict[str, Any]:
    """The `history` block: newly failing, fixed, new and removed items, each `{"id", "label", "before", "after"}`."""
    before = {i["id"]: i for i in _items(baseline)}
    after = {i["id"]: i for i in _items(current)}
    history: dict[str, Any] = {
        "baseline": {"path": source, **{k: (baseline.get("run") or {}).get(k) for k in ("started_at", "commit")}},
        "newly_failing": [], "fixed": [], "new": [], "removed": [],
    }

    def entry(item_id: str) -> dict[str, Any]:
        old, new = before.get(item_id), after.get(item_id)
        return {"id": item_id, "label": (new or old)["label"],
                "before": old["status"] if old else None, "after": new["status"] if new else None}

    for item_id, item in after.items():
        old = before.get(item_id)
        if old is None:
            history["new"].append(entry(item_id))
        elif item["status"] == "failed" and old["status"] != "failed":
            history["newly_failing"].append(entry(item_id))
        elif old["status"] == "failed" and item["status"] == "passed":
            history["fixed"].append(entry(item_id))
    history["removed"] = [entry(item_id) for item_id in before if item_id not in after]
    return history
