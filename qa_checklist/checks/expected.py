"""What the spec says a value must look like at the other end, computed from the spec alone.

These small readers and converters are deliberately separate from `sync/`: a generated test
must not ask the code under test what the right answer is.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from apis.fields import SCALAR_TYPES
from apis.rows import entity_fields

_MISSING = object()


def nested(path: str, value: Any) -> dict:
    """A record holding `value` at the dotted `path` ({"a": {"b": value}} for "a.b")."""
    record: Any = value
    for part in reversed(path.split(".")):
        record = {part: record}
    return record


def read(record: Any, path: str) -> Any:
    """The value at `path`, or a list of values where the path passes through a list; None if absent."""
    current = record
    for position, part in enumerate(path.split(".")):
        if isinstance(current, list):
            rest = ".".join(path.split(".")[position:])
            return [read(item, rest) for item in current]
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def as_declared(value: Any, data_type: str | None) -> Any:
    """`value` as the document's data type declares it arrives ("integer" "42" -> 42; N/A unchanged)."""
    if data_type is None:
        return value
    if data_type == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)
    if data_type == "integer":
        return int(value)
    if data_type == "float":
        return float(value)
    if data_type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    raise ValueError(f"unknown data type {data_type!r}")


def holds(actual: Any, expected: Any) -> bool:
    """Whether a value read back is the expected one, of the same type, directly or as every item of a list path."""
    if isinstance(actual, list) and not isinstance(expected, list):
        return bool(actual) and all(holds(item, expected) for item in actual)
    return type(actual) is type(expected) and actual == expected


def same_value(actual: Any, expected: Any) -> bool:
    """`holds`, or equal as text: read backwards no type is declared, and a form API holds text."""
    return holds(actual, expected) or (actual is not None and as_declared(actual, "string") == as_declared(expected, "string"))


@cache
def wire_type(system: str, entity: str, path: str) -> str | None:
    """The type `system`'s own schema holds at `path` (HubSpot: every property text), else None: what the
    vendor says, not what the engine does."""
    fields = entity_fields(system, entity)
    found = fields.find(path) if fields else None
    return found.type if found is not None and found.type in SCALAR_TYPES else None


@cache
def vendor_type(system: str, entity: str, path: str) -> str | None:
    """The type `system`'s own schema gives `path`, dates included (`date`, `datetime`), else None."""
    fields = entity_fields(system, entity)
    found = fields.find(path) if fields else None
    return found.type if found is not None else None


def held(mapping: Any, row: Any, value: Any) -> Any:
    """`value` as the target API holds it once the row has carried it: the document's type, then the
    vendor's own where it differs (an integer row into a HubSpot property is held as its text)."""
    declared = as_declared(value, row.type)
    vendor = wire_type(mapping.target_system, mapping.target_entity, row.target)
    if declared is None or vendor is None:
        return declared
    if isinstance(declared, list):
        return [as_declared(item, vendor) for item in declared]
    return as_declared(declared, vendor)
