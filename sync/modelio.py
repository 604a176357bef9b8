"""The model of documents from its JSON form (what `sync-run --model` reads), as generator.model values."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.model import CreationRule, EntityMapping, MergeKey, PropertyMapping, condition_from_json


def mappings_from_json(data: dict[str, Any]) -> list[EntityMapping]:
    """Every EntityMapping of a model JSON document, in document order."""
    found = []
    for flow in data.get("dataflows", []):
        file = flow.get("file", "")
        for m in flow.get("mappings", []):
            rule = m.get("create_when_connected")
            found.append(EntityMapping(
                id=m["id"], title=m.get("title", m["id"]), file=file, line=int(m.get("line", 0)),
                source_system=m["source_system"], source_entity=m["source_entity"],
                target_system=m["target_system"], target_entity=m["target_entity"],
                sync=m.get("sync", "every"), condition=m.get("condition"),
                create_when_connected=CreationRule(tuple(rule["via"]), rule["into"], file, int(m.get("line", 0)))
                if rule else None,
                merge_or_create=bool(m.get("merge_or_create")),
                merge_keys=tuple(MergeKey(k["source"], k["target"], file, int(k.get("line", 0)))
                                 for k in m.get("merge_keys", [])),
                bidirectional=bool(m.get("bidirectional")),
                properties=tuple(PropertyMapping(p["source"], p["target"], p.get("type"), file,
                                                 int(p.get("line", 0)), condition_from_json(p.get("when")))
                                 for p in m.get("properties", [])),
            ))
    return found


class MappingNotFound(KeyError):
    def __str__(self) -> str:  # a KeyError prints its message quoted
        return str(self.args[0])


def mappings_in(path: str | Path) -> list[EntityMapping]:
    """Every mapping of a model JSON file (ValueError naming the file if it is no model)."""
    try:
        return mappings_from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a model (regenerate-tests --dump-model writes one): {exc}") from None


def load_mapping(path: str | Path, mapping_id: str) -> EntityMapping:
    """The mapping with that id from a model JSON file (MappingNotFound pointing at --list-mappings)."""
    mappings = mappings_in(path)
    for m in mappings:
        if m.id == mapping_id:
            return m
    if len(mappings) <= 5:
        raise MappingNotFound(f"no mapping {mapping_id!r} in {path} (there are: "
                              f"{', '.join(m.id for m in mappings) or 'none'})")
    close = [m.id for m in mappings if mapping_id.casefold() in m.id.casefold()][:5]
    raise MappingNotFound(f"no mapping {mapping_id!r} in {path} ({len(mappings)} there"
                          + (f"; like it: {', '.join(close)}" if close else "")
                          + f"); `sync-run --model {path} --list-mappings` lists them")
