"""The model as the public JSON of `regenerate-tests --dump-model` (documented in the README)."""
from __future__ import annotations

from typing import Any

from .model import (CreationRule, Dataflow, EntityMapping, Finding, MergeKey, ParseResult, PropertyMapping, Statement,
                    condition_from_json, condition_json)
from .vendors import systems_json


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
            {"source": p.source, "target": p.target, "type": p.type, "line": p.line, "when": condition_json(p.when)}
            for p in mapping.properties
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
        "systems": systems_json(result),
        "dataflows": [dataflow_json(d) for d in result.dataflows],
        "findings": [finding_json(f) for f in result.findings],
    }


def embedded_mapping_json(mapping: EntityMapping) -> dict[str, Any]:
    """The mapping's public JSON plus what a generated module needs to rebuild it whole."""
    data = mapping_json(mapping)
    data["file"] = mapping.file
    data["merge_keys"] = [{"source": k.source, "target": k.target, "line": k.line} for k in mapping.merge_keys]
    if mapping.create_when_connected is not None:
        data["create_when_connected"]["line"] = mapping.create_when_connected.line
    data["statements"] = [{"kind": s.kind, "text": s.text, "line": s.line} for s in mapping.statements]
    return data


def mapping_from_json(data: dict[str, Any]) -> EntityMapping:
    """The `EntityMapping` that `embedded_mapping_json` (or the public JSON, given a file) describes."""
    file = data.get("file", "")
    creation = data.get("create_when_connected")
    return EntityMapping(
        id=data["id"],
        title=data["title"],
        file=file,
        line=data["line"],
        source_system=data["source_system"],
        source_entity=data["source_entity"],
        target_system=data["target_system"],
        target_entity=data["target_entity"],
        sync=data["sync"],
        condition=data["condition"],
        create_when_connected=(
            CreationRule(tuple(creation["via"]), creation["into"], file, creation.get("line", data["line"]))
            if creation else None
        ),
        merge_or_create=data["merge_or_create"],
        merge_keys=tuple(MergeKey(k["source"], k["target"], file, k.get("line", data["line"])) for k in data["merge_keys"]),
        bidirectional=data["bidirectional"],
        properties=tuple(PropertyMapping(p["source"], p["target"], p["type"], file, p["line"],
                                          condition_from_json(p.get("when"))) for p in data["properties"]),
        statements=tuple(Statement(s["kind"], s["text"], s["line"]) for s in data.get("statements", ())),
    )
