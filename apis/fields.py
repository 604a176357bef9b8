"""Which fields an entity's records hold, their types, and which a write may hold: from the vendor's own schemas.

An entity's `schema` (a record as the API answers it) and `input_schema` (a write body) name
component schemas of the system's OpenAPI extract. A field of the record schema that the input
schema lacks, or that the vendor marks `readOnly`, or that the description lists under
`read_only`, is read-only. A map (`additionalProperties`) holds any name: `properties.*`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Mapping

from .description import HERE, ApiDescription, EntityApi

WILDCARD = "*"
SCALAR_TYPES = frozenset({"string", "integer", "float", "boolean"})  # the types a document's rows declare
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "float", "boolean": "boolean",
               "object": "object", "array": "array"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field as the vendor describes it: its type (`string`, `integer`, `float`, `boolean`, `datetime`,
    `object`, `array`, or None when untyped), whether a write may hold it, and its enum values."""

    type: str | None
    writable: bool
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields of one entity, by dotted path (`*` standing for any name of a map)."""

    system: str
    entity: str
    by_path: Mapping[str, Field]

    def find(self, path: str) -> Field | None:
        """The field at a dotted path, or None when the vendor's records have no such field."""
        found = _FOUND.setdefault((self.system, self.entity), {})
        if path not in found:
            found[path] = _find(self, path)
        return found[path]


_FOUND: dict[tuple[str, str], dict[str, Field | None]] = {}  # per entity: path -> field, as looked up


def _find(fields: Fields, path: str) -> Field | None:
    parts = path.split(".")
    wildcards = tuple((tuple(p.split(".")), f) for p, f in fields.by_path.items() if WILDCARD in p)
    for length in range(len(parts), 0, -1):
        prefix = parts[:length]
        known = fields.by_path.get(".".join(prefix)) or next(
            (field for pattern, field in wildcards if _matches(pattern, prefix)), None)
        if known is not None:
            # A path below a field the vendor types only as a free-form object is that object's business.
            return known if length == len(parts) or known.type in ("object", None) else None
    return None


def _matches(pattern: tuple[str, ...], parts: list[str]) -> bool:
    return len(pattern) == len(parts) and all(p in (WILDCARD, part) for p, part in zip(pattern, parts))


@cache
def _extract(api_key: str, name: str) -> dict:
    return json.loads((HERE / api_key / name).read_text(encoding="utf-8"))


def _resolve(doc: dict, schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(doc, part)
            merged["properties"].update(part.get("properties", {}))
        return merged
    return schema


MAX_DEPTH = 5  # documents' paths run three or four fields deep; references between records go on for ever


def _leaves(doc: dict, schema: Mapping[str, Any], prefix: str, depth: int = 0,
            entered: tuple[str, ...] = ()) -> dict[str, dict]:
    """Dotted path -> the schema of each field under `schema` (objects walked, maps as `*`, lists by item);
    a schema is not entered again below itself (a customer's account manager's department's manager...)."""
    ref = schema.get("$ref", "")
    schema = _resolve(doc, schema)
    found: dict[str, dict] = {}
    if prefix:
        found[prefix] = dict(schema)
    if depth > MAX_DEPTH or (ref and ref in entered):
        return found
    entered = (*entered, ref) if ref else entered
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        items = _leaves(doc, schema["items"], prefix, depth + 1, entered)
        found.update({path: s for path, s in items.items() if path != prefix})
    for name, sub in (schema.get("properties") or {}).items():
        found.update(_leaves(doc, sub, f"{prefix}.{name}" if prefix else name, depth + 1, entered))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found.update(_leaves(doc, extra, f"{prefix}.{WILDCARD}" if prefix else WILDCARD, depth + 1, entered))
    return found


def _type_of(schema: Mapping[str, Any]) -> str | None:
    if schema.get("format") == "date-time":
        return "datetime"
    if schema.get("format") == "date":
        return "date"
    return _JSON_TYPES.get(schema.get("type", ""))


def fields_of(api: ApiDescription, entity: EntityApi) -> Fields | None:
    """The fields of `entity` as the vendor's extract describes them; None where no extract or schema says."""
    return _fields_of(api.key, api.name, api.extract, (*api.read_only, *entity.read_only), entity.key, entity.schema,
                      entity.input_schema)


@cache
def _fields_of(key: str, name: str, extract: str, read_only: tuple[str, ...], entity: str, schema: str,
               input_schema: str) -> Fields | None:
    if not extract or not schema or not (HERE / key / extract).exists():
        return None
    doc = _extract(key, extract)
    schemas = doc.get("components", {}).get("schemas", {})
    if schema not in schemas:
        return None
    read = _leaves(doc, {"$ref": f"#/components/schemas/{schema}"}, "")
    written = _leaves(doc, {"$ref": f"#/components/schemas/{input_schema}"}, "") if input_schema in schemas else {}
    by_path = {}
    for path, found in sorted(read.items(), key=lambda item: (WILDCARD in item[0], item[0])):
        writable = path in written and not found.get("readOnly") and path not in read_only
        by_path[path] = Field(_type_of(found), writable, tuple(str(v) for v in found.get("enum", ())))
    for path in read_only:  # named by the description where the vendor's schema holds them as a map's entries
        if path not in by_path and path.rpartition(".")[0] + ".*" in by_path:
            by_path = {path: Field("string", False), **by_path}
    return Fields(name, entity, by_path)
