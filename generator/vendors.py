"""What each document's systems are judged by, and its rows held against the vendors' own schemas."""
from __future__ import annotations

from typing import Any

from apis.description import describe
from apis.names import system_key
from apis.rows import row_problems

from .model import Dataflow, Finding, ParseResult


def vendor_findings(dataflow: Dataflow) -> list[Finding]:
    """A finding at each row side a described vendor lacks, keeps read-only or types otherwise."""
    findings = []
    for mapping in dataflow.mappings:
        for problem in row_problems(mapping):
            row = mapping.properties[problem.index]
            consequence = "its items are not verifiable" if problem.blocking else "checked as text"
            findings.append(Finding(row.file, row.line, "warning", problem.code,
                                    f"{row.source} -> {row.target}: {problem.message}; {consequence}"))
    return findings


def systems_json(result: ParseResult) -> dict[str, Any]:
    """For each system the documents name (first spelling met): what its checks run against, and its source."""
    named: dict[str, str] = {}
    for dataflow in result.dataflows:
        for mapping in dataflow.mappings:
            for system in (mapping.source_system, mapping.target_system):
                named.setdefault(system_key(system), system)
    return {system: {"api": describe(system).kind, "source": describe(system).source}
            for _key, system in sorted(named.items())}
