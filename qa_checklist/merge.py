"""`qa-checklist merge PART.json... -o PATH`: one report from the partial reports of the suite's shards.

    qa-checklist merge report/shard-*.json -o report/qa-checklist.html

Every partial report lists every item of the suite (its manifest's), with results for the items
its shard ran and "not run" for the others. Merged, an item takes its result from the shards that
ran its tests, decided as in a single run (any failed test fails it; else any passed verifies it;
else it is not verifiable); an item no shard ran stays "not run". A shard missing from the parts
is named in a warning; parts of different suite versions or shard counts are refused (exit 2).
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from .reportfile import write_report
from .report import item_status, summarize


class MergeError(Exception):
    """Parts that cannot make one report; the message says which and why."""


def _read(path: Path) -> dict:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MergeError(f"{path}: cannot read a report: {error}") from None
    if not isinstance(report, dict) or "dataflows" not in report or "inputs" not in report:
        raise MergeError(f"{path}: not a partial report of qa-checklist (no \"inputs\"); "
                         f"write it with pytest --qa-report")
    return report


def _check(parts: dict[Path, dict]) -> tuple[int, list[str]]:
    """The shard count the parts agree on, and warnings; raises MergeError when they cannot be merged."""
    versions = {(r["inputs"].get("manifest_sha256"), r["inputs"].get("code_sha256")): p for p, r in parts.items()}
    if len(versions) > 1:
        named = "; ".join(f"{p}: suite {m[:12] if m else '?'}, code {c[:12] if c else '?'}"
                          for (m, c), p in versions.items())
        raise MergeError(f"the parts come from different suite versions ({named}); run every shard of one suite")
    shards = {p: r.get("shard") or {"group": 1, "splits": 1} for p, r in parts.items()}
    counts = {s["splits"] for s in shards.values()}
    if len(counts) > 1:
        raise MergeError("the parts split the suite differently: "
                         + "; ".join(f"{p}: shard {s['group']} of {s['splits']}" for p, s in shards.items()))
    splits = counts.pop()
    seen: dict[int, Path] = {}
    for path, shard in shards.items():
        if shard["group"] in seen:
            raise MergeError(f"{seen[shard['group']]} and {path} are both shard {shard['group']} of {splits}")
        seen[shard["group"]] = path
    warnings = [f"shard {k} of {splits} is missing: the items only it ran are reported as not run"
                for k in range(1, splits + 1) if k not in seen]
    return splits, warnings


def _merged_item(copies: list[dict]) -> dict:
    ran = [c for c in copies if c["status"] != "not_testable" and not c.get("carried_from")]
    if not ran:
        carried = [c for c in copies if c["status"] != "not_testable"]
        return dict(carried[0] if carried else copies[0])
    if len(ran) == 1:
        return dict(ran[0])
    # A module cut at a shard's edge: the item's tests ran in two shards.
    tests = sorted({t for c in ran for t in c["tests"]})
    status = item_status([_Outcome(c["status"]) for c in ran])
    deciding = [c for c in ran if c["status"] == status]
    return {**ran[0], "status": status, "tests": tests,
            "message": "\n".join(dict.fromkeys(c["message"] for c in deciding if c["message"])),
            "reproduce": "\n".join(c["reproduce"] for c in ran if c["reproduce"]),
            "rerun": "pytest " + " ".join(shlex.quote(t) for t in tests)}


class _Outcome:
    def __init__(self, outcome: str):
        self.outcome = outcome


def merge_reports(reports: list[dict]) -> dict:
    """One report: the first part's documents and sections, each item merged over every part."""
    copies: dict[str, list[dict]] = {}
    for report in reports:
        for dataflow in report["dataflows"]:
            for mapping in dataflow["mappings"]:
                for item in mapping["items"]:
                    copies.setdefault(item["id"], []).append(item)
    merged = json.loads(json.dumps(reports[0]))
    for dataflow in merged["dataflows"]:
        for mapping in dataflow["mappings"]:
            mapping["items"] = [_merged_item(copies[item["id"]]) for item in mapping["items"]]
    merged["shard"] = None
    if "history" in merged:
        merged["history"] = None  # the first part's comparison is of one shard, not of the merged run
    merged["inputs"]["started_at"] = min(r["inputs"]["started_at"] for r in reports)
    summarize(merged)
    return merged


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="qa-checklist merge",
                                     description="Merge the partial reports (JSON) of the suite's shards into one report.")
    parser.add_argument("parts", nargs="+", type=Path, metavar="PART.json", help="the shards' JSON reports")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                        help="where to write the HTML report; the JSON goes beside it")
    args = parser.parse_args(argv)
    try:
        parts = {path: _read(path) for path in dict.fromkeys(args.parts)}
        splits, warnings = _check(parts)
    except MergeError as error:
        print(f"qa-checklist merge: error: {error}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"qa-checklist merge: warning: {warning}", file=sys.stderr)
    ordered = sorted(parts.values(), key=lambda r: (r.get("shard") or {"group": 1})["group"])
    report = merge_reports(ordered)
    write_report(args.output, report)
    summary = report["summary"]
    print(f"QA checklist (merged from {len(parts)} of {splits} shard(s)): {summary['items']} items: "
          f"{summary['passed']} verified, {summary['failed']} failed, {summary['skipped']} not verifiable, "
          f"{summary['not_testable']} not run.\nReport: {args.output} (JSON: {args.output.with_suffix('.json')})")
    return 1 if summary["failed"] else 0
