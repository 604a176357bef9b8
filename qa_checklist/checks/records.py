"""Records built from paths, and sample values for the rows a section's vendors can carry.

The part of the set-up that the conditions' checks (`conditions.py`) share with every other check:
`scenario.py` builds its records and linked pairs on it, and imports `conditions.py`, so this
module imports neither.
"""
from __future__ import annotations

import functools
from typing import Any

import pytest

from apis.rows import blocking_rows
from generator.model import EntityMapping, PropertyMapping

from .expected import nested
from .values import sample, source_kind


def _merge(record: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            _merge(record[key], value)
        else:
            record[key] = value
    return record


def record(values: dict[str, Any], **extra: Any) -> dict:
    """A record holding each value at its dotted path, plus `extra` fields."""
    built: dict = {}
    for path, value in values.items():
        _merge(built, nested(path, value))
    return _merge(built, extra)


def vendor_blocked(mapping: EntityMapping) -> dict[int, str]:
    """Rows a vendor's API cannot carry (a path it lacks or keeps read-only), and why: the engine leaves
    them out, so the checks of other items do too, and their own items are not verifiable."""
    return _blocked(mapping)


@functools.cache
def _blocked(mapping: EntityMapping) -> dict[int, str]:
    return blocking_rows(mapping)


def skip_if_vendor_blocked(mapping: EntityMapping, index: int) -> None:
    reason = vendor_blocked(mapping).get(index)
    if reason is not None:
        pytest.skip(f"not verifiable: {reason}")


def carried(mapping: EntityMapping) -> list[tuple[int, PropertyMapping]]:
    """(index, row) of each row the vendors' APIs can carry."""
    blocked = vendor_blocked(mapping)
    return [(index, row) for index, row in enumerate(mapping.properties) if index not in blocked]


def sample_values(mapping: EntityMapping) -> dict[str, Any]:
    """A value for every source path of the property table, suited to the rows it feeds."""
    values: dict[str, Any] = {}
    for index, row in carried(mapping):
        if row.source not in values and not is_target_id(mapping, row):
            values[row.source] = sample(source_kind(mapping, index), index)
    return values


ID_NAMES = ("id", "ID", "Id")  # how the documents spell a record's own id


def is_target_id(mapping: EntityMapping, row: PropertyMapping) -> bool:
    # An id is assigned by the API that holds the record: no sync writes it.
    return row.target in ID_NAMES or row.source in ID_NAMES
