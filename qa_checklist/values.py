"""Values for a property row, chosen by hypothesis from the declared data type.

Rows that share a source path all receive the one source value, so it must suit each row's
type: a source feeding an "integer" and a "string" target gets integers.
"""
from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from generator.model import EntityMapping

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_.,'\"\\{}æøåÉ€", min_size=1, max_size=24).filter(
    lambda text: text.strip() == text and text != ""
)
_INTEGERS = st.integers(min_value=-(10**9), max_value=10**9)
_FLOATS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
# Numbers and booleans also come as the text a form or CSV export holds: the engine must coerce them.
_STRATEGIES = {
    "boolean": st.one_of(st.booleans(), st.sampled_from(["true", "false", "1", "0"])),
    "integer": st.one_of(_INTEGERS, _INTEGERS.map(str)),
    "float": st.one_of(_FLOATS, _FLOATS.map(repr)),
    "string": _TEXT,
}


def source_kind(mapping: EntityMapping, index: int) -> str:
    """The kind of value a row's source path must hold to suit every row it feeds."""
    row = mapping.properties[index]
    types = {p.type for p in mapping.properties if p.source == row.source} - {None}
    if types == {"boolean"} or types == {"boolean", "string"}:
        return "boolean"
    for kind in ("integer", "float"):
        if kind in types:
            return "integer" if "integer" in types else kind
    return "string"


def strategy(mapping: EntityMapping, index: int) -> st.SearchStrategy[Any]:
    return _STRATEGIES[source_kind(mapping, index)]


def sample(kind: str, number: int) -> Any:
    """A fixed value of `kind`, different for each `number`, for tests that need any value at all."""
    return {"boolean": number % 2 == 0, "integer": 4200 + number, "float": 42.5 + number,
            "string": f"Sample {number}"}[kind]


def another(value: Any, kind: str) -> Any:
    """A value of `kind` that differs from `value` (for an update after a create)."""
    if kind == "boolean":
        return not (value if isinstance(value, bool) else str(value).lower() in ("true", "1"))
    if kind == "integer":
        return int(value) + 1
    if kind == "float":
        return float(value) + 1.25
    return f"{value} (edited)"
