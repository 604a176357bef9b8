"""Failure clusters across documents, and the reasons items are not verifiable, counted.

One broken engine rule fails many items in many documents, each with its own values, paths and
system names: `expected integer 0, the Chargebee API holds integer 1` in one,
`expected integer 4202, the MemberCare API holds integer 4203` in another. Each failed item
carries the shape of its failure (`core`, from the check's structured message, `shared/messages.py`; a
message built as plain text falls back to its first line with quoted text and numbers
abstracted). Items with the same shape form one cluster, and an item grouped under a cause
(`grouping.py`) joins its cause's cluster: it failed for that reason. A cluster is named by the
check that exercises the rule (the kind of most of its causes) and the rule (`integer coercion`
where a typed row carries the value), lists every item, and counts them per document; clusters
come largest first.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from ..shared.messages import text_signature


def _items(dataflows: list[dict[str, Any]]) -> Iterator[tuple[dict, dict]]:
    for dataflow in dataflows:
        for mapping in dataflow["mappings"]:
            for item in mapping["items"]:
                yield dataflow, item


def _core(item: dict[str, Any]) -> str:
    return item.get("core") or text_signature(item.get("message", ""))


def _most_common(values: list[str]) -> str | None:
    counted = Counter(v for v in values if v)
    if not counted:
        return None
    top = max(counted.values())
    return next(v for v in values if counted.get(v) == top)  # ties: the first in document order


def cluster_failures(dataflows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`[{"signature", "variants", "check", "rule", "items", "documents", "per_document", "causes", "example"}]`, largest
    first: grouped by the failures' `core`, named by the most common `shape` among the causes (`variants` lists them
    all when they differ: `N+1` and `N+2`, one rule applied once or twice on the way)."""
    failed = [(d, i) for d, i in _items(dataflows) if i["status"] == "failed"]
    by_id = {i["id"]: i for _d, i in failed}
    groups: dict[str, list[tuple[dict, dict]]] = {}
    for dataflow, item in failed:
        leader = by_id.get(item.get("grouped_under") or "", item)
        groups.setdefault(_core(leader), []).append((dataflow, item))
    clusters = []
    for order, (signature, members) in enumerate(groups.items()):
        causes = [i for _d, i in members if not i.get("grouped_under")] or [i for _d, i in members]
        per_document = Counter(d["file"] for d, _i in members)
        check = _most_common([i["kind"] for i in causes])
        shapes = [i.get("shape") or _core(i) for i in causes]
        clusters.append({
            "signature": _most_common(shapes) or signature,
            "variants": [{"signature": v, "causes": n} for v, n in Counter(shapes).most_common()] if len(set(shapes)) > 1 else [],
            "check": check,
            "rule": _most_common([i.get("rule", "") for i in causes]) or check,
            "items": [i["id"] for _d, i in members],
            "documents": len(per_document),
            "per_document": [{"file": file, "items": count} for file, count in per_document.items()],
            "causes": len(causes),
            "example": (causes[0].get("message") or "").split("\n", 1)[0],
            "_order": order,
        })
    clusters.sort(key=lambda c: (-len(c["items"]), c["_order"]))
    for cluster in clusters:
        del cluster["_order"]
    return clusters


def not_verifiable_reasons(dataflows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`[{"reason", "count"}]`: each distinct reason the not-verifiable items give, and how many give it, most first."""
    counted: Counter[str] = Counter()
    for _dataflow, item in _items(dataflows):
        if item["status"] != "skipped":
            continue
        reasons = item.get("reasons")
        if reasons is None:  # a report written before items kept their reasons apart
            reasons = [item.get("message", "")]
        counted.update(list(dict.fromkeys(r for r in reasons if r)))
    return [{"reason": reason, "count": count} for reason, count in counted.most_common()]
