"""How a report differs from an earlier one (the previous report at the same path, or `--qa-baseline`).

Items are matched by id, which is derived from what they say (`generator/checklist.py`), so an
inserted row shows as one new item, not as every later row renamed.

The earlier report is only read, never trusted: one that is not a report of this shape (edited by
hand, truncated, another tool's) is named in a warning and ignored, so a run that has done its
tests still writes its report, with no history (`read_baseline`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

STATUSES = ("passed", "failed", "skipped", "not_testable")  # build.STATUSES (build.py imports the connectors)


def read_baseline(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(the earlier report at `path` (its HTML or JSON path), None), or (None, why it is ignored); (None, None)
    when there is none."""
    source = path if path.suffix == ".json" else path.with_suffix(".json")
    try:
        report = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:
        return None, f"{source}: not a QA checklist report ({_one_line(error)}): ignored, so there is no history"
    problem = report_problem(report)
    if problem is not None:
        return None, f"{source}: not a QA checklist report ({problem}): ignored, so there is no history"
    return report, None


# What a report's HTML page and a merge read of each level, beyond what a comparison needs (`complete`).
_DATAFLOW = {"title": str, "file": str, "apis": list, "findings": list}
_MAPPING = {"title": str, "line": int, "findings": list}
_ITEM = {"line": int, "derived": bool, "tests": list, "duration_s": (int, float), "message": str, "exchange": str,
         "reproduce": str, "rerun": str}
_ITEM_OPTIONAL = {"details": str, "cause": (str, type(None)), "carried_from": (dict, type(None))}
_API = {"system": str, "kind": str, "summary": str}
_FINDING = {"line": int, "message": str, "code": str}


def report_problem(report: Any, complete: bool = False) -> str | None:
    """What makes `report` unusable as an earlier report (its documents, sections and items), or None;
    `complete`: also as a report to render or merge (every field its page shows)."""
    if not isinstance(report, dict):
        return f"a JSON {type(report).__name__}, not an object"
    if not isinstance(report.get("dataflows"), list):
        return "no \"dataflows\" list"
    for key in ("run", "inputs"):
        if report.get(key) is not None and not isinstance(report[key], dict):
            return f"\"{key}\" is not an object"
    for d, dataflow in enumerate(report["dataflows"]):
        if not isinstance(dataflow, dict) or not isinstance(dataflow.get("mappings"), list):
            return f"dataflows[{d}] has no \"mappings\" list"
        problem = complete and (_fields(dataflow, _DATAFLOW, f"dataflows[{d}]")
                                or _entries(dataflow["apis"], _API, f"dataflows[{d}].apis")
                                or _entries(dataflow["findings"], _FINDING, f"dataflows[{d}].findings"))
        if problem:
            return problem
        for m, mapping in enumerate(dataflow["mappings"]):
            where = f"dataflows[{d}].mappings[{m}]"
            if not isinstance(mapping, dict) or not isinstance(mapping.get("items"), list) \
                    or not isinstance(mapping.get("id"), str):
                return f"{where} has no \"id\" and \"items\" list"
            problem = complete and (_fields(mapping, _MAPPING, where)
                                    or _entries(mapping["findings"], _FINDING, f"{where}.findings"))
            if problem:
                return problem
            for i, item in enumerate(mapping["items"]):
                problem = _item_problem(item, f"{where}.items[{i}]", complete)
                if problem:
                    return problem
    return None


def _item_problem(item: Any, where: str, complete: bool) -> str | None:
    if not isinstance(item, dict):
        return f"{where} is not an object"
    for key in ("id", "label"):
        if not isinstance(item.get(key), str):
            return f"{where} has no string \"{key}\""
    if item.get("status") not in STATUSES:
        return f"{where} has status {item.get('status')!r}, not one of {', '.join(STATUSES)}"
    if not complete:
        return None
    problem = _fields(item, _ITEM, where) or _fields({k: v for k, v in item.items() if k in _ITEM_OPTIONAL},
                                                      {k: t for k, t in _ITEM_OPTIONAL.items() if k in item}, where)
    if problem:
        return problem
    if not all(isinstance(test, str) for test in item["tests"]):
        return f"{where}: \"tests\" holds something other than test ids"
    return None


def _fields(data: dict[str, Any], types: dict[str, Any], where: str) -> str | None:
    for key, kind in types.items():
        value = data.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{where}: \"{key}\" is {_kind(value) if key in data else 'missing'}"
    return None


def _entries(entries: list, types: dict[str, Any], where: str) -> str | None:
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return f"{where}[{number}] is not an object"
        problem = _fields(entry, types, f"{where}[{number}]")
        if problem:
            return problem
    return None


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__} ({json.dumps(value)[:40]})"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _items(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for dataflow in report.get("dataflows", []):
        for mapping in dataflow.get("mappings", []):
            yield from mapping.get("items", [])


def compare(baseline: dict[str, Any], current: dict[str, Any], source: str) -> dict[str, Any] | None:
    """The `history` block: newly failing, fixed, new and removed items, each `{"id", "label", "before", "after"}`;
    None when `baseline` is not a report (`report_problem`)."""
    if report_problem(baseline) is not None:
        return None
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
