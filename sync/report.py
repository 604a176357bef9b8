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


def report_json(report: PassReport) -> dict:
    """A pass report as JSON (sync-run's `--report`, the SUT protocol's `report`: docs/sut-protocol.md)."""
    return {
        "mapping_id": report.mapping_id,
        **{k: getattr(report, k) for k in ("created", "updated", "linked", "merged", "skipped")},
        "conflicts": [{k: getattr(c, k) for k in Conflict.__slots__} for c in report.conflicts],
        "errors": [{k: getattr(e, k) for k in EntityError.__slots__} for e in report.errors],
        "api_calls": dict(report.api_calls),
    }


REPORT_FIELDS = ("mapping_id", "created", "updated", "linked", "merged", "skipped", "conflicts", "errors", "api_calls")


def report_from_json(data: object, where: str, whole: bool = False) -> PassReport:
    """The pass report a SUT sent; ValueError naming `where` and what is wrong when it is not one. `whole`: every
    field must be there (a field left out is not a count of 0, nor an empty list of errors)."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: a pass report is an object, not {type(data).__name__}")
    missing = [k for k in REPORT_FIELDS if k not in data] if whole else []
    if missing:
        raise ValueError(f"{where}: the report leaves out {', '.join(missing)}")

    def count(key: str) -> int:
        value = data.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{where}: {key} must be a count (a whole number, 0 or more), not {value!r:.40}")
        return value

    def items(key: str, kind: type) -> tuple:
        given = data.get(key, [])
        if not isinstance(given, list) or not all(isinstance(i, dict) for i in given):
            raise ValueError(f"{where}: {key} must be a list of objects")
        fields = kind.__slots__
        return tuple(kind(**{k: str(i[k]) for k in fields if i.get(k) is not None}) for i in given)

    calls = data.get("api_calls", {})
    if not isinstance(calls, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in calls.values()):
        raise ValueError(f"{where}: api_calls must map each kind of call to a count")
    try:
        conflicts, errors = items("conflicts", Conflict), items("errors", EntityError)
    except TypeError as missing:  # a conflict or an error without the fields it must have
        raise ValueError(f"{where}: {missing}") from None
    return PassReport(mapping_id=str(data.get("mapping_id", "")),
                      **{k: count(k) for k in ("created", "updated", "linked", "merged", "skipped")},
                      conflicts=conflicts, errors=errors, api_calls={str(k): v for k, v in calls.items()})
