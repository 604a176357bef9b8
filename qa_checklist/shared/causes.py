"""Failures that name their cause: another checklist item, so the report groups them under it.

A check that fails in a step it shares with other items (the linked-pair set-up), or on a promise
another item makes (a statement's check finding a property row's value wrong), raises `CausedBy`
with that item's id: one broken rule then reads as one failure with the items it took along,
not as several independent ones.
"""
from __future__ import annotations

from generator.checklist import item_id
from generator.model import EntityMapping

from .messages import Message


class CausedBy(AssertionError):
    """An assertion that failed because of what another checklist item promises."""

    def __init__(self, cause_item: str | None, message: str):
        super().__init__(message)
        self.cause_item = cause_item


class SetupFailed(CausedBy):
    """A shared set-up step failed: every item using it fails for the same cause, the section's sync rule."""

    def __init__(self, mapping: EntityMapping, message: str):
        prefix = "set-up failed: "
        try:
            cause: str | None = item_id(mapping, "sync")
        except LookupError:  # a section that states no sync rule: the failure is its own, and still said
            cause = None
        super().__init__(cause, message.prefixed(prefix) if isinstance(message, Message) else prefix + message)


def row_failed(mapping: EntityMapping, index: int, message: str) -> CausedBy:
    """A property row's value is wrong: the row's own item names the cause."""
    return CausedBy(item_id(mapping, "property", index), message)
