"""The model as the public JSON of `regenerate-tests --dump-model` (documented in the README)."""
from __future__ import annotations

from typing import Any

from .model import Dataflow, EntityMapping, Finding, ParseResult


def mapping_json(mapping: EntityMapping) -> dict[str, Any]:
    creation = mapping.create_when_connected
    return {
        "id": mapping.id,
        "title": mapping.title,
        "line": mapping.line,
        "source_system": mapping.source_system,
        "source_entity": mapping.source_entity,
        "target_system": mapping.target_system,
        "target_entity": mapping.target_entity,
        "sync": mapping.sync,
        "condition": mapping.condition,
        "create_when_connected": {"via": list(creation.via), "into": creation.into} if creation else None,
        "merge_or_create": mapping.merge_or_create,
        "merge_keys": [{"source": k.source, "target": k.target} for k in mapping.merge_keys],
        "bidirectional": mapping.bidirectional,
        "properties": [
            {"source": p.source, "target": p.target, "type": p.type, "line": p.line} for p in mapping.properties
        ],
    }


def dataflow_json(dataflow: Dataflow) -> dict[str, Any]:
    return {
        "file": dataflow.file,
        "title": dataflow.title,
        "source_system": dataflow.source_system,
        "target_system": dataflow.target_system,
        "generated": dataflow.generated,
        "mappings": [mapping_json(m) for m in dataflow.mappings],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file,
        "line": finding.line,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
    }


def result_json(result: ParseResult) -> dict[str, Any]:
    return {
        "dataflows": [dataflow_json(d) for d in result.dataflows],
        "findings": [finding_json(f) for f in result.findings],
    }
