"""Whether a record meets a section condition's predicate (`generator.vocabulary.Predicate`, data)."""
from __future__ import annotations

from generator.vocabulary import Predicate, number

from .paths import get_path, holds_value


def holds(predicate: Predicate, record: dict) -> bool:
    held = get_path(record, predicate.field)
    if predicate.operator == "empty":
        return held in (None, "", [])
    if predicate.operator == "not_empty":
        return held not in (None, "", [])
    if predicate.operator == "equals":
        return holds_value(held, predicate.value)
    if predicate.operator == "not_equals":
        return not holds_value(held, predicate.value)
    if predicate.operator == "one_of":
        return any(holds_value(held, v) for v in predicate.value)
    value = number(held)
    if value is None:
        return False
    return value >= float(predicate.value) if predicate.operator == "at_least" else value <= float(predicate.value)


class Applied:
    """The predicate as the engine applies it to each source record; its `field` is one the listing must ask for."""

    __slots__ = ("predicate",)

    def __init__(self, predicate: Predicate):
        self.predicate = predicate

    @property
    def field(self) -> str:
        return self.predicate.field

    def __call__(self, record: dict) -> bool:
        return holds(self.predicate, record)
