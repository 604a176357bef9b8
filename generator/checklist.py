"""The checklist items of a section: one per statement and property row, each with a stable id.

An item id is `<mapping id>/<item>` (e.g. `customcrm-chargebee/contact-to-customer/property-3`),
stable as long as the document keeps the statement or row in its place.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import EntityMapping


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of the checklist: what the document promises and where it says so."""

    id: str
    kind: str  # sync, creation-rule, merge-or-create, merge-key, bidirectional, property, properties, no-echo, conflict
    label: str
    line: int
    index: int | None = None  # the row's position in its table, for merge-key and property items


def checklist_items(mapping: EntityMapping) -> tuple[ChecklistItem, ...]:
    """Every item of `mapping`, in document order, then the entity-level promises of a link."""
    items: list[ChecklistItem] = []

    def add(suffix: str, kind: str, label: str, line: int, index: int | None = None) -> None:
        items.append(ChecklistItem(f"{mapping.id}/{suffix}", kind, label, line, index))

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
            for number, key in enumerate(mapping.merge_keys, 1):
                add(f"merge-key-{number}", "merge-key", f"{key.source} = {key.target}", key.line, number - 1)
        elif statement.kind == "bidirectional":
            add("bidirectional", "bidirectional", statement.text, statement.line)
        elif statement.kind == "properties":
            if not mapping.properties:
                add("properties", "properties", statement.text, statement.line)
            for number, row in enumerate(mapping.properties, 1):
                label = f"{row.source} -> {row.target} ({row.type or 'N/A'})"
                if row.when is not None:
                    label += f", only where {row.when.describe()}"
                add(f"property-{number}", "property", label, row.line, number - 1)
    sync_line = mapping.statement("sync").line if mapping.statement("sync") else mapping.line
    add("no-echo", "no-echo", "A pass over unchanged data writes nothing (no echo of the engine's own writes).", sync_line)
    if mapping.bidirectional:
        line = mapping.statement("bidirectional").line
        add("conflict", "conflict",
            "An edit on both sides since the last pass: the most recent wins, and the conflict is reported.", line)
        add("optimistic-locking", "optimistic-locking",
            "A target changed after the engine read it is read again, not overwritten unseen.", line)
    return tuple(items)
