"""What a pass did, as frozen values: counts, conflicts, per-entity errors and API calls.

Counts mean:

* ``created``: targets the engine created.
* ``linked``: source entities linked to an existing target because a merge key matched.
* ``merged``: source entities treated as one with another entity of their own system that
  shares a merge key (they are linked to that entity's target instead of getting their own).
* ``updated``: writes that changed an existing record, on either side.
* ``skipped``: source entities the rules leave alone this pass (no link under
  ``link_required``, condition false, not connected as the creation rule requires).
"""
from __future__ import annotations

from collections import Counter
from typing import Callable
from dataclasses import dataclass, field

RULE_LATEST_WINS = "most recently updated wins"
RULE_EMPTY_NEVER_OVERWRITES = "an empty value never overwrites a filled one"


@dataclass(frozen=True, slots=True)
class Conflict:
    """A property changed on both sides since the last pass, and the rule that decided it."""

    entity_id: str  # the source entity's id
    path: str  # the source path of the property table row
    rule: str
    target_id: str = ""
    target_path: str = ""
    winner: str = ""  # "source" or "target"


@dataclass(frozen=True, slots=True)
class EntityError:
    """Why one entity was left untouched this pass; the rest of the pass went on."""

    entity_id: str
    message: str
    side: str = "source"


@dataclass(frozen=True, slots=True)
class PassReport:
    """The outcome of one pass of one entity mapping."""

    mapping_id: str
    created: int = 0
    updated: int = 0
    linked: int = 0
    merged: int = 0
    skipped: int = 0
    conflicts: tuple[Conflict, ...] = ()
    errors: tuple[EntityError, ...] = ()
    api_calls: dict[str, int] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        """Write requests the pass sent (creates and updates, retries not counted)."""
        return sum(n for kind, n in self.api_calls.items() if kind in ("create", "update"))

    def summary(self) -> str:
        """One line a person reads at the end of a run."""
        calls = ", ".join(f"{k}={v}" for k, v in sorted(self.api_calls.items())) or "none"
        return (
            f"{self.mapping_id}: created={self.created} updated={self.updated} linked={self.linked} "
            f"merged={self.merged} skipped={self.skipped} conflicts={len(self.conflicts)} "
            f"errors={len(self.errors)} api_calls[{calls}]"
        )


class PassTally:
    """The mutable tally an engine keeps during a pass, frozen into a PassReport at the end."""

    def __init__(self, mapping_id: str, redact: Callable[[str], str] = str):
        self.mapping_id = mapping_id
        self._redact = redact  # an error's text may quote what an API echoed: never a credential
        self.counts: Counter[str] = Counter()
        self.conflicts: list[Conflict] = []
        self.errors: list[EntityError] = []

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def error(self, entity_id: str, message: str, side: str = "source") -> None:
        self.errors.append(EntityError(entity_id, self._redact(message), side))

    def freeze(self, api_calls: dict[str, int]) -> PassReport:
        return PassReport(
            mapping_id=self.mapping_id,
            created=self.counts["created"],
            updated=self.counts["updated"],
            linked=self.counts["linked"],
            merged=self.counts["merged"],
            skipped=self.counts["skipped"],
            conflicts=tuple(self.conflicts),
            errors=tuple(self.errors),
            api_calls=dict(api_calls),
        )
