"""The checklist items of a section: one per statement and property row, each with a stable id.

An item id is `<mapping id>/<item>`, derived from what the item says, never from its position,
so that inserting or moving a row changes no other item's id:

* a statement: its kind (`sync`, `creation-rule`, `merge-or-create`, `bidirectional`; `merge-keys`
  or `properties` for an empty table);
* a property row: `property/<source>-to-<target>`, each path slugged segment by segment
  (`billing_address.city` -> `billing-address.city`);
* a merge key: `merge-key/<source>-to-<target>`;
* a promise derived from the section rather than written in it: `no-echo`, `conflict`,
  `optimistic-locking`, `one-way`, `pass-report`, `faults`.

A repeated row (same slugs) gets `-2`, `-3`... in document order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import EntityMapping
from .names import slug

# Promises every link makes, checked for each section though no sentence of it states them.
DERIVED_KINDS = ("no-echo", "conflict", "optimistic-locking", "one-way", "pass-report", "faults")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of the checklist: what the document promises and where it says so."""

    id: str
    kind: str  # sync, creation-rule, merge-or-create, merge-key, bidirectional, property, properties, no-echo,
    # conflict, optimistic-locking, one-way, pass-report, faults
    label: str
    line: int  # for a derived promise, the section's title line: no sentence states it
    index: int | None = None  # the row's position in its table, for merge-key and property items

    @property
    def derived(self) -> bool:
        return self.kind in DERIVED_KINDS


def path_slug(path: str) -> str:
    """A property path as an id part: `billingAddress.postal_code` -> `billing-address.postal-code`."""
    return ".".join(slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", part)) for part in path.split("."))


def row_key(kind: str, source: str, target: str) -> str:
    return f"{kind}/{path_slug(source)}-to-{path_slug(target)}"


def checklist_items(mapping: EntityMapping) -> tuple[ChecklistItem, ...]:
    """Every item of `mapping`, in document order, then the entity-level promises of a link."""
    items: list[ChecklistItem] = []
    seen: dict[str, int] = {}

    def add(key: str, kind: str, label: str, line: int, index: int | None = None) -> None:
        seen[key] = seen.get(key, 0) + 1
        suffix = "" if seen[key] == 1 else f"-{seen[key]}"
        items.append(ChecklistItem(f"{mapping.id}/{key}{suffix}", kind, label, line, index))

    for statement in mapping.statements:
        if statement.kind == "sync":
            add("sync", "sync", statement.text, statement.line)
        elif statement.kind == "creation_rule":
            add("creation-rule", "creation-rule", statement.text, statement.line)
        elif statement.kind == "merge_or_create":
            add("merge-or-create", "merge-or-create", statement.text, statement.line)
        elif statement.kind == "merge_keys":
            if not mapping.merge_keys:
                add("merge-keys", "merge-keys", statement.text, statement.line)
            for index, key in enumerate(mapping.merge_keys):
                add(row_key("merge-key", key.source, key.target), "merge-key", f"{key.source} = {key.target}",
                    key.line, index)
        elif statement.kind == "bidirectional":
            add("bidirectional", "bidirectional", statement.text, statement.line)
        elif statement.kind == "properties":
            if not mapping.properties:
                add("properties", "properties", statement.text, statement.line)
            for index, row in enumerate(mapping.properties):
                label = f"{row.source} -> {row.target} ({row.type or 'N/A'})"
                if row.when is not None:
                    label += f", only where {row.when.describe()}"
                add(row_key("property", row.source, row.target), "property", label, row.line, index)
    add("no-echo", "no-echo", "A pass over unchanged data writes nothing (no echo of the engine's own writes).",
        mapping.line)
    if mapping.bidirectional:
        add("conflict", "conflict",
            "An edit on both sides since the last pass: the most recent wins, and the conflict is reported.",
            mapping.line)
        add("optimistic-locking", "optimistic-locking",
            "A target changed after the engine read it is read again, not overwritten unseen.", mapping.line)
    else:
        add("one-way", "one-way", "Without the bidirectional statement, a target edit never flows back.", mapping.line)
    add("pass-report", "pass-report", "Each pass reports the API calls the APIs received, the next pass asks only "
        "for what changed, and a failed listing stops the pass and is reported.", mapping.line)
    add("faults", "faults", "Under API faults (429, 5xx, timeouts, lost responses) the promises of a link hold, "
        "and a create whose response was lost is not made twice.", mapping.line)
    return tuple(items)


def item_id(mapping: EntityMapping, kind: str, index: int | None = None) -> str:
    """The id of `mapping`'s item of that kind (and row index): how a check names another item as a cause."""
    for item in checklist_items(mapping):
        if item.kind == kind and item.index == index:
            return item.id
    raise LookupError(f"{mapping.id} has no {kind} item{'' if index is None else f' for row {index}'}")
