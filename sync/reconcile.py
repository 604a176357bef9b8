"""What to write to each side of a linked pair, decided property by property.

For each row of the property table, a side has *changed* when its value differs from the
last-synchronized snapshot (a pair with no snapshot yet counts the source as changed). The
changed side wins; where both changed (bidirectional only) the most recently updated side
wins and a Conflict names the rule. An empty value never overwrites a filled one. Forward
values are coerced to the declared type; backward values pass through unchanged, since the
table declares no type for the source side.

A row under a condition (`PropertyMapping.when`, its value already spelled as the system does)
is read and written at a `Where` on the side that carried it (see `paths.py`): a change keyed
by a `Where` is written into the matching list item, or only where the record holds the value.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from generator.model import EntityMapping, PropertyMapping

from .coercion import coerce
from .paths import Where, is_empty, read_at, values_equal, write_at
from .report import RULE_EMPTY_NEVER_OVERWRITES, RULE_LATEST_WINS, Conflict

_NO_SNAPSHOT = object()


@dataclass(frozen=True, slots=True)
class PairPlan:
    """The writes one pass owes a linked pair, and the conflicts it resolved."""

    target_changes: dict[str | Where, Any] = field(default_factory=dict)  # target path -> value
    source_changes: dict[str | Where, Any] = field(default_factory=dict)  # source path -> value
    conflicts: tuple[Conflict, ...] = ()


def place(row: PropertyMapping, side: str) -> str | Where:
    """Where a row reads and writes on one side: its path, under the condition when that side carries it."""
    path = row.source if side == "source" else row.target
    if row.when is not None and row.when.side == side:
        return Where(path, row.when.path, row.when.has)
    return path


def forward_rows(mapping: EntityMapping, target_id_field: str | None) -> list[PropertyMapping]:
    """The rows that write to the target; `target_id_field` is left out (None: ids may be written)."""
    return [row for row in mapping.properties if row.target != target_id_field]


WireType = Callable[[str], "str | None"]


def _none(path: str) -> None:
    return None


def on_wire(value: Any, wire_type: str | None) -> Any:
    """A value as the API holds it where the API's own type overrides the document's (HubSpot: text)."""
    return value if wire_type is None or is_empty(value) else coerce(value, wire_type)


def build_target(mapping: EntityMapping, source: dict, target_id_field: str, client_ids: bool,
                 target_type: WireType = _none, target_shape: WireType = _none) -> dict:
    """A new target's body: every mapped, non-empty source value, coerced (CoercionError if one can't be),
    in the target API's wire form (`target_type`; `target_shape`: where it holds an object, not a list).

    A row into the target's id is sent only where the API lets a client choose ids (Chargebee
    does); elsewhere the API assigns it and the link records it.
    """
    body: dict = {}
    rows = forward_rows(mapping, None if client_ids else target_id_field)
    # Conditioned rows last: a condition on the target may test what a plain row wrote.
    for row in sorted(rows, key=lambda r: r.when is not None):
        value = on_wire(coerce(read_at(source, place(row, "source")), row.type), target_type(row.target))
        if not is_empty(value):
            write_at(body, place(row, "target"), value, create=True, shape=target_shape)
    return body


def plan_pair(mapping: EntityMapping, source: dict, target: dict, source_synced: dict | None,
              target_synced: dict | None, *, source_time: float | None, target_time: float | None,
              source_id: str, target_id: str, source_id_field: str, target_id_field: str,
              source_type: WireType = _none, target_type: WireType = _none) -> PairPlan:
    """The writes that bring a linked pair in line (CoercionError if a forward value can't be coerced), each
    value in its API's wire form (`source_type`, `target_type`), so that what an API holds compares equal."""
    target_changes: dict[str, Any] = {}
    source_changes: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for row in forward_rows(mapping, target_id_field):
        s_at, t_at = place(row, "source"), place(row, "target")
        s_now, t_now = read_at(source, s_at), read_at(target, t_at)
        wanted = on_wire(coerce(s_now, row.type), target_type(row.target))
        if values_equal(wanted, t_now):
            continue
        s_changed = source_synced is None or s_now != read_at(source_synced, s_at)
        t_changed = (mapping.bidirectional and target_synced is not None
                     and t_now != read_at(target_synced, t_at))
        if s_changed and t_changed:
            winner = "target" if (target_time or 0) > (source_time or 0) else "source"
            rule = RULE_LATEST_WINS
            if winner == "target" and is_empty(t_now) and not is_empty(wanted):
                winner, rule = "source", RULE_EMPTY_NEVER_OVERWRITES
            elif winner == "source" and is_empty(wanted) and not is_empty(t_now):
                winner, rule = "target", RULE_EMPTY_NEVER_OVERWRITES
            conflicts.append(Conflict(source_id, row.source, rule, target_id, row.target, winner))
        elif s_changed:
            winner = "source"
        elif t_changed:
            winner = "target"
        else:
            continue  # neither side moved since the last pass: nothing of ours to say
        if winner == "source" and not is_empty(wanted):
            target_changes[t_at] = wanted
        elif winner == "target" and not is_empty(t_now) and row.source != source_id_field:
            source_changes[s_at] = on_wire(t_now, source_type(row.source))
    return PairPlan(target_changes, source_changes, tuple(conflicts))


def patch_for(record: dict, changes: dict[str | Where, Any], shape: WireType = _none) -> tuple[dict, dict]:
    """(the record with `changes` applied, the top-level fields that differ: what one write sends); `shape`: where
    the record's API holds an object, not a list."""
    updated = copy.deepcopy(record)
    for at, value in changes.items():
        write_at(updated, at, value, shape=shape)
    patch = {key: value for key, value in updated.items() if record.get(key) != value}
    return updated, patch
