"""Values for a property row, chosen by hypothesis from the data types of every row they touch.

A value must suit every row and merge key that reads or writes the paths it travels through:
rows that share a source path receive the one source value, rows that share a target path
write into one field, and a merge key puts its source's value beside the rows of its target.
So the paths of a section form groups (joined by rows and merge keys; in a collection
synchronized with itself source and target paths are the same fields), and each group's values
are of the one kind that every declared type of the group accepts: a group with an "integer"
and a "string" row gets integers, one with a "boolean" and an "integer" row gets 0 and 1.
"""
from __future__ import annotations

import string
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

from generator.model import EntityMapping

from .expected import vendor_type

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_.,'\"\\{}æøåÉ€", min_size=1, max_size=24).filter(
    lambda text: text.strip() == text and text != ""
)
_INTEGERS = st.integers(min_value=-(10**9), max_value=10**9)
_FLOATS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
# Numbers and booleans also come as the text a form or CSV export holds: the engine must coerce them.
_STRATEGIES = {
    "boolean": st.one_of(st.booleans(), st.sampled_from(["true", "false", "1", "0"])),
    "binary": st.sampled_from([0, 1, "0", "1"]),  # both a boolean and a number
    "integer": st.one_of(_INTEGERS, _INTEGERS.map(str)),
    "float": st.one_of(_FLOATS, _FLOATS.map(repr)),
    "string": _TEXT,
    # A vendor's date and date-time fields: ISO-8601, as JSON APIs write them.
    "date": st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)).map(date.isoformat),
    "datetime": st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2049, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0, tzinfo=timezone.utc).isoformat()),
}
# Kinds with only two values: an edit on each side can only ever agree, so no conflict can be staged.
TWO_VALUED = frozenset({"boolean", "binary"})


def _kind_of(types: set[str]) -> str:
    for moment in ("date", "datetime"):  # a vendor's date field holds only dates, whatever text a row declares
        if moment in types:
            return moment
    numeric = types & {"integer", "float"}
    if "boolean" in types:
        return "binary" if numeric else "boolean"
    if "integer" in types:
        return "integer"
    return "float" if "float" in types else "string"


@cache
def _kinds(mapping: EntityMapping) -> dict[tuple[str, str], str]:
    """(side, path) -> the kind of value every row and merge key touching that path accepts."""
    same = (mapping.source_system.casefold(), mapping.source_entity.casefold()) == (
        mapping.target_system.casefold(), mapping.target_entity.casefold())
    target = "s" if same else "t"  # synchronized with itself, a target path is a field of the source record
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    edges = [(row.source, row.target) for row in mapping.properties]
    edges += [(key.source, key.target) for key in mapping.merge_keys]
    for source, to in edges:
        parent[find(("s", source))] = find((target, to))
    types: dict[tuple[str, str], set[str]] = {}
    for row in mapping.properties:
        if row.type:
            types.setdefault(find((target, row.target)), set()).add(row.type)
    # A described vendor's own field type binds too: a Tripletex country id holds integers only.
    for side, system, entity, paths in (("s", mapping.source_system, mapping.source_entity,
                                         [r.source for r in mapping.properties]),
                                        (target, mapping.target_system, mapping.target_entity,
                                         [r.target for r in mapping.properties])):
        for path in paths:
            vendor = vendor_type(system, entity, path)
            if vendor in ("integer", "float", "boolean", "date", "datetime"):
                types.setdefault(find((side, path)), set()).add(vendor)
    return {node: _kind_of(types.get(find(node), set())) for node in list(parent)}


def path_kind(mapping: EntityMapping, source_path: str) -> str:
    """The kind of value a source path must hold to suit every row and merge key it reaches."""
    return _kinds(mapping).get(("s", source_path), "string")


def source_kind(mapping: EntityMapping, index: int) -> str:
    """The kind of value a row's source path must hold."""
    return path_kind(mapping, mapping.properties[index].source)


def strategy(mapping: EntityMapping, index: int) -> st.SearchStrategy[Any]:
    return _STRATEGIES[source_kind(mapping, index)]


def sample(kind: str, number: int) -> Any:
    """A fixed value of `kind`, different for each `number`, for tests that need any value at all."""
    return {"boolean": number % 2 == 0, "binary": number % 2, "integer": 4200 + number, "float": 42.5 + number,
            "string": f"Sample {number}", "date": (date(2020, 1, 1) + timedelta(days=number)).isoformat(),
            "datetime": datetime(2020, 1, 1, 10, tzinfo=timezone.utc).replace(hour=number % 24).isoformat()}[kind]


def merge_value(kind: str, number: int) -> Any:
    """A merge-key value of `kind` no sample value shares (`number` tells several apart)."""
    return {"boolean": True, "binary": 1, "integer": 910001 + number, "float": 9100.5 + number,
            "string": f"qa-merge-{number}-910001", "date": (date(2031, 1, 1) + timedelta(days=number)).isoformat(),
            "datetime": datetime(2031, 1, 1, tzinfo=timezone.utc).replace(minute=number % 60).isoformat()}[kind]


def another(value: Any, kind: str) -> Any:
    """A value of `kind` that differs from `value`, in the same form: text stays text (an update typed by a user)."""
    if kind == "string":
        return f"{value} (edited)"
    if kind == "date":
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    if kind == "datetime":
        return (datetime.fromisoformat(value) + timedelta(hours=1)).isoformat()
    if kind == "boolean":
        changed: Any = not (value if isinstance(value, bool) else str(value).lower() in ("true", "1"))
    elif kind == "binary":
        changed = 1 - int(value)
    elif kind == "integer":
        changed = int(value) + 1
    else:
        changed = float(value) + 1.25
    if not isinstance(value, str):
        return changed
    return repr(changed) if isinstance(changed, float) else str(changed).lower()


def as_text(value: Any) -> str:
    """The text a form or CSV export holds for a value ("42", "true", "42.5")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
