"""An update must not lose what it does not map: fields beside a nested target path, filled by hand.

Some APIs replace a whole sub-object on write (Chargebee's `update_billing_info` clears every
billing-address field and the VAT number it is not sent). A connector that sends only the
changed part then loses the rest on a real site, while the mapped value arrives fine. So the
property check fills by hand, on the target, the fields no row maps that the fake says a write
of the row's path could lose (`fields_beside`: the rest of Chargebee's billing info, or a field
next to a nested path), and asserts they are all still there after the engine's update.
"""
from __future__ import annotations

from typing import Any

from generator.model import EntityMapping, PropertyMapping

from .expected import nested, read

KEPT_VALUE = "qa-kept-910001"


def fill_beside(h, mapping: EntityMapping, row: PropertyMapping, target_id: str) -> dict[str, Any]:
    """Fills, on the target record, the unmapped fields a write of the row's target could lose; {path: value}."""
    taken = {p.target for p in mapping.properties} | {k.target for k in mapping.merge_keys}
    kept = {path: f"{KEPT_VALUE}-{n}" for n, path in enumerate(h.target.fields_beside(target_id, row.target, taken))}
    for path, value in kept.items():
        h.target.edit(target_id, nested(path, value))
    return kept


def assert_kept(h, mapping: EntityMapping, target_id: str, kept: dict[str, Any]) -> None:
    record = h.target.get(target_id)
    for path, value in kept.items():
        assert read(record, path) == value, (
            f"the update lost {path} = {value!r}, which no row maps (filled by hand on the "
            f"{mapping.target_system} {mapping.target_entity}); the {mapping.target_system} API now holds "
            f"{read(record, path)!r}")
