"""`qa-checklist merge PART.json... -o PATH`: one report from the partial reports of the suite's shards.

    qa-checklist merge report/shard-*.json -o report/qa-checklist.html

Every partial report lists every item of the suite (its manifest's), with results for the items
its shard ran and "not run" for the others. Merged, an item takes its result from the shards that
ran its tests, decided as in a single run (any failed test fails it; else any passed verifies it;
else it is not verifiable); an item no shard ran stays "not run". A shard missing from the parts
is named in a warning; parts of different suite versions or shard counts are refused (exit 2).

A part is read, not trusted: one that is not strict JSON (NaN, Infinity), or not a partial report
of the shape this version writes, is refused by name with what is wrong (exit 2), as is an output
that would overwrite one of the parts.
"""
from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from pathlib import Path

import jinja2

from ..report.build import item_status, summarize
from ..report.file import ReportWriteError, json_path, write_report
from ..report.history import report_problem


class MergeError(Exception):
    """Parts that cannot make one report; the message says which and why."""


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise MergeError(f"{path}: cannot read a report: {error.strerror if isinstance(error, OSError) else error}") \
            from None
    try:
        report = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except ValueError as error:
        raise MergeError(f"{path}: not strict JSON: {error}") from None
    if not isinstance(report, dict) or "dataflows" not in report or "inputs" not in report:
        raise MergeError(f"{path}: not a partial report of qa-checklist (no \"inputs\"); "
                         f"write it with pytest --qa-report")
    problem = report_problem(report, complete=True) or _part_problem(report)
    if problem:
        raise MergeError(f"{path}: not a partial report qa-checklist can merge: {problem}")
    return report


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is no JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: valid JSON that Python reads as infinity, which no JSON can write
        raise ValueError(f"{text} is too large a number")
    return number


def _part_problem(report: dict) -> str | None:
    """What of a part's own blocks (`inputs`, `shard`, `run`) a merge cannot use, or None."""
    inputs = report["inputs"]
    if not isinstance(inputs, dict) or not isinstance(inputs.get("started_at"), str):
        return "\"inputs\" has no \"started_at\" time"
    for key in ("manifest_sha256", "code_sha256"):
        if inputs.get(key) is not None and not isinstance(inputs[key], str):
            return f"inputs.{key} is not a string"
    shard = report.get("shard")
    if shard is not None:
        group, splits = (shard.get("group"), shard.get("splits")) if isinstance(shard, dict) else (None, None)
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (group, splits)) or not 1 <= group <= splits:
            return f"\"shard\" is {json.dumps(shard)[:60]}, not {{\"group\": K, \"splits\": N}} with 1 <= K <= N"
    if not isinstance(report.get("run", {}), dict):
        return "\"run\" is not an object"
    return None


def _json_parts(given: list[Path]) -> list[Path]:
    """The parts' JSON reports: a part given by its HTML page is the JSON beside it; a part given twice is refused
    (it would count its shard once and hide that another is missing)."""
    parts: list[Path] = []
    for path in given:
        if path.suffix.lower() in (".html", ".htm"):
            path = json_path(path)
        for earlier in parts:
            if _same_file(earlier, path):
                raise MergeError(f"{path} is given twice")
        parts.append(path)
    return parts


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _system_judged(report: dict) -> dict:
    """The system under test a part judged (its name, adapter and command), or {} from a version that did not say."""
    sut = (report.get("run") or {}).get("sut")
    return {k: sut.get(k) for k in ("name", "adapter", "command")} if isinstance(sut, dict) else {}


def _check(parts: dict[Path, dict]) -> tuple[int, list[str]]:
    """The shard count the parts agree on, and warnings; raises MergeError when they cannot be merged."""
    versions = {(r["inputs"].get("manifest_sha256"), r["inputs"].get("code_sha256")): p for p, r in parts.items()}
    if len(versions) > 1:
        named = "; ".join(f"{p}: suite {m[:12] if m else '?'}, code {c[:12] if c else '?'}"
                          for (m, c), p in versions.items())
        raise MergeError(f"the parts come from different suite versions ({named}); run every shard of one suite")
    systems = {json.dumps(_system_judged(r), sort_keys=True): p for p, r in parts.items()}
    if len(systems) > 1:  # one item's verdicts from two different sync implementations are no verdict
        raise MergeError("the parts judged different systems under test: " + "; ".join(
            f"{p}: {json.loads(s).get('name', '?')}" for s, p in systems.items()))
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
        args.parts = _json_parts(args.parts)
        for written in {json_path(args.output), args.output}:
            for part in args.parts:
                if _same_file(written, part):
                    raise MergeError(f"{part} is one of the parts and the output ({written}) would replace it; "
                                     "give -o another path")
        parts = {path: _read(path) for path in args.parts}
        splits, warnings = _check(parts)
    except MergeError as error:
        print(f"qa-checklist merge: error: {error}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"qa-checklist merge: warning: {warning}", file=sys.stderr)
    ordered = sorted(parts.values(), key=lambda r: (r.get("shard") or {"group": 1})["group"])
    try:
        report = merge_reports(ordered)
        write_report(args.output, report)
    except ReportWriteError as error:
        print(f"qa-checklist merge: error: {error}", file=sys.stderr)
        return 2
    except (KeyError, TypeError, ValueError, AttributeError, jinja2.TemplateError) as error:
        # A part `_read` let through yet this version cannot render (a field of another version's shape): one
        # line, never a traceback, and nothing written (the files are replaced only once both are made).
        print(f"qa-checklist merge: error: the parts cannot be merged into one report "
              f"({type(error).__name__}: {error}); write every part with this version's pytest --qa-report",
              file=sys.stderr)
        return 2
    summary = report["summary"]
    print(f"QA checklist (merged from {len(parts)} of {splits} shard(s)): {summary['items']} items: "
          f"{summary['passed']} verified, {summary['failed']} failed, {summary['skipped']} not verifiable, "
          f"{summary['not_testable']} not run.\nReport: {args.output} (JSON: {args.output.with_suffix('.json')})")
    if warnings:  # a shard missing: the report is written, but it is not the whole suite's
        print("qa-checklist merge: the merged report lacks a shard's items (reported as not run); exit 2",
              file=sys.stderr)
        return 2
    return 1 if summary["failed"] else 0
