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

from generator.checklist import DERIVED_KINDS
from sync.connectors.registry import api_model
from sync.names import system_key

from .clusters import cluster_failures, not_verifiable_reasons
from .grouping import group_by_cause
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
    failing = [t for t in tests if t.outcome == "failed"]
    if status == "not_testable":
        message = "no test ran for this item"
    else:
        deciding = failing if status == "failed" else [t for t in tests if t.outcome == status]
        message = "\n".join(dict.fromkeys(t.message for t in deciding if t.message))
    causes = {t.cause for t in failing}
    example = "\n".join(t.example for t in failing if t.example)
    shaped = {}
    if failing:  # what the report clusters it by (`clusters.py`): its first failing test's
        shaped = {"signature": failing[0].signature, "core": failing[0].core, "shape": failing[0].shape,
                  "rule": failing[0].rule}
    elif status == "skipped":
        shaped = {"reasons": list(dict.fromkeys(t.message for t in tests if t.outcome == "skipped" and t.message))}
    return {
        "id": item["id"],
        "kind": item["kind"],
        "label": item["label"],
        "file": file,
        "line": item["line"],
        "derived": item["kind"] in DERIVED_KINDS,
        "status": status,
        "tests": [t.nodeid for t in tests],
        "duration_s": round(sum(t.duration for t in tests), 2),
        "message": message,
        # the item its failing tests name as their cause, when they all name the same other one
        "cause": causes.pop() if len(causes) == 1 and None not in causes and item["id"] not in causes else None,
        "exchange": "\n\n".join(dict.fromkeys(t.exchange for t in failing if t.exchange)) if failing else "",
        "reproduce": f"{example}\nRerun the command below: hypothesis replays this example." if example else "",
        "details": "\n\n".join(f"{t.nodeid}\n{t.details}" for t in failing) if failing else "",
        "rerun": "pytest " + " ".join(shlex.quote(t.nodeid) for t in (failing or tests)) if tests else "",
        **shaped,
    }


def build_report(manifests: Iterable[Path], outcomes: Iterable[TestOutcome],
                 run: dict[str, Any] | None = None) -> dict[str, Any]:
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
                "apis": _apis(document["source_system"], document["target_system"]),
                "findings": [f for f in document["findings"] if not f.get("mapping")], "mappings": mappings,
            })
    dataflows.sort(key=lambda d: d["file"])
    report = {"run": run or {}, "summary": {}, "history": None, "clusters": [], "not_verifiable_reasons": [],
              "dataflows": dataflows}
    summarize(report)
    return report


def _apis(*systems: str) -> list[dict[str, str]]:
    """What each system's checks ran against: the vendor's own description, our declaration, or a generic API."""
    models = {system_key(system): api_model(system) for system in systems}
    return [{"system": m.system, "kind": m.kind, "summary": m.summary} for m in models.values()]


def summarize(report: dict[str, Any]) -> None:
    """Group failures by cause, then count: each document's `summary` and the report's, its failures' clusters
    and its not-verifiable reasons (in place; a merge calls it again)."""
    group_by_cause(report["dataflows"])
    for dataflow in report["dataflows"]:
        dataflow["summary"] = _summary(i for m in dataflow["mappings"] for i in m["items"])
        dataflow["summary"]["vendor_findings"] = _vendor_findings(dataflow)
    report["summary"] = _summary(i for d in report["dataflows"] for m in d["mappings"] for i in m["items"])
    report["summary"]["vendor_findings"] = sum(d["summary"]["vendor_findings"] for d in report["dataflows"])
    report["clusters"] = cluster_failures(report["dataflows"])
    report["not_verifiable_reasons"] = not_verifiable_reasons(report["dataflows"])


def _vendor_findings(dataflow: dict[str, Any]) -> int:
    """How many row sides a vendor's own schema refuses (a path it lacks, keeps read-only or types otherwise)."""
    findings = [*dataflow["findings"], *(f for m in dataflow["mappings"] for f in m.get("findings", ()))]
    return sum(1 for f in findings if str(f.get("code", "")).startswith("vendor-"))


def _summary(items: Iterable[dict]) -> dict[str, int]:
    counts = {"items": 0, **{status: 0 for status in STATUSES}, "causes": 0}
    for item in items:
        counts["items"] += 1
        counts[item["status"]] += 1
        counts["causes"] += item["status"] == "failed" and not item.get("grouped_under")
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
