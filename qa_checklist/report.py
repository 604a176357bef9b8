"""The QA checklist report as data: every item of every document with its status.

Statuses, from the tests behind an item: `passed` (verified), `failed` (any test failed, in
setup, call or teardown), `skipped` (its tests skipped, with the reason: nothing to verify or
not verifiable), `not_testable` (no test result at all: none generated, or not run).
"""
from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any, Iterable

from .outcomes import TestOutcome

STATUSES = ("passed", "failed", "skipped", "not_testable")


def item_status(tests: list[TestOutcome]) -> str:
    if not tests:
        return "not_testable"
    outcomes = {t.outcome for t in tests}
    if "failed" in outcomes:
        return "failed"
    return "passed" if "passed" in outcomes else "skipped"


def _item(item: dict, file: str, tests: list[TestOutcome]) -> dict[str, Any]:
    status = item_status(tests)
    deciding = [t for t in tests if t.outcome == status] or tests
    message = "\n".join(dict.fromkeys(t.message for t in deciding if t.message))
    if status == "not_testable":
        message = "no test ran for this item"
    return {
        "id": item["id"],
        "kind": item["kind"],
        "label": item["label"],
        "file": file,
        "line": item["line"],
        "status": status,
        "tests": [t.nodeid for t in tests],
        "message": message,
        "reproduce": "\n".join(t.reproduce for t in tests if t.reproduce),
        "rerun": "pytest " + " ".join(shlex.quote(t.nodeid) for t in tests) if tests else "",
    }


def build_report(manifests: Iterable[Path], outcomes: Iterable[TestOutcome]) -> dict[str, Any]:
    """The report of the documents the manifests list, joined with the outcomes of their tests."""
    by_item: dict[str, list[TestOutcome]] = {}
    for outcome in sorted(outcomes, key=lambda o: o.nodeid):
        by_item.setdefault(outcome.item_id, []).append(outcome)
    dataflows = []
    for manifest in sorted(set(manifests)):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for document in data["documents"]:
            file = data.get("spec_prefix", "") + document["file"]
            mappings = [
                {
                    "id": mapping["id"], "title": mapping["title"], "line": mapping["line"],
                    "source": mapping["source"], "target": mapping["target"], "module": mapping["module"],
                    "items": [_item(item, file, by_item.get(item["id"], [])) for item in mapping["items"]],
                }
                for mapping in document["mappings"]
            ]
            _attach_findings(mappings, document["findings"])
            dataflows.append({
                "file": file, "title": document["title"], "source_system": document["source_system"],
                "target_system": document["target_system"], "sha256": document["sha256"],
                "summary": _summary(i for m in mappings for i in m["items"]),
                "findings": [f for f in document["findings"] if not f.get("mapping")], "mappings": mappings,
            })
    dataflows.sort(key=lambda d: d["file"])
    return {"summary": _summary(i for d in dataflows for m in d["mappings"] for i in m["items"]),
            "dataflows": dataflows}


def _summary(items: Iterable[dict]) -> dict[str, int]:
    counts = {"items": 0, **{status: 0 for status in STATUSES}}
    for item in items:
        counts["items"] += 1
        counts[item["status"]] += 1
    return counts


def _attach_findings(mappings: list[dict], findings: list[dict]) -> None:
    """Put each finding beside the section it concerns: the last one starting at or before its line."""
    for mapping in mappings:
        mapping["findings"] = []
    starts = sorted(((m["line"], index) for index, m in enumerate(mappings)))
    for finding in findings:
        owner = None
        for line, index in starts:
            if line <= finding["line"]:
                owner = index
        if owner is not None:
            mappings[owner]["findings"].append(finding)
            finding["mapping"] = mappings[owner]["id"]
