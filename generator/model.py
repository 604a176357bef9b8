"""The typed model of a dataflow document: the one language `generator/` and `sync/` share.

Every node knows the file and line it comes from, so a finding, a generated test and a
report row can all point back at the document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SyncRule = Literal["every", "link_required", "conditional"]
DataType = Literal["string", "integer", "float", "boolean"]
Severity = Literal["warning", "error"]

DATA_TYPES: tuple[str, ...] = ("string", "integer", "float", "boolean")

# Kinds of statement a section can hold, in the order the publisher writes them.
STATEMENT_KINDS = (
    "sync",
    "creation_rule",
    "merge_or_create",
    "merge_keys",
    "bidirectional",
    "properties",
)


@dataclass(frozen=True, slots=True)
class Condition:
    """A cell's `(Dependant on having <has> in <path>)`: the row holds only where `path` holds `has`.

    `side` is the cell that carried it. `has` is a literal (`NO`) or a Wikidata concept
    (`wd:Q17517`) that each system spells its own way. Where the value path and `path` share a
    prefix (`phone_numbers.number`, `phone_numbers.name`), that prefix is a list and the
    condition selects its item(s); otherwise it is a condition on the record. `others` holds
    further, different clauses the same cell states (the publisher sometimes repeats the clause):
    such a row cannot be honoured, see `problem`.
    """

    side: Literal["source", "target"]
    path: str
    has: str
    others: tuple["Condition", ...] = ()

    def problem(self) -> str | None:
        """Why the row cannot be honoured as written (a blank value or path, several conditions), or None."""
        if self.others:
            stated = "; ".join(f"{c.has!r} in {c.path!r}" for c in (self, *self.others))
            return f"the cell states {len(self.others) + 1} different conditions ({stated})"
        if not self.has.strip():
            return f"the condition names no value (in {self.path!r})"
        if not self.path.strip():
            return f"the condition names no path (having {self.has!r})"
        return None

    def describe(self) -> str:
        """The condition as a reader says it: `the source's phone_numbers.name has wd:Q17517`."""
        return f"the {self.side}'s {self.path or '(no path)'} has {self.has or '(no value)'}"


def condition_json(condition: Condition | None) -> dict | None:
    """The public JSON of a row's `when` (README, "The model"); `others` only lists differing clauses."""
    if condition is None:
        return None
    return {"side": condition.side, "path": condition.path, "has": condition.has,
            "others": [condition_json(c) for c in condition.others]}


def condition_from_json(data: dict | None) -> Condition | None:
    if not data:
        return None
    return Condition(data["side"], data["path"], data["has"],
                     tuple(condition_from_json(c) for c in data.get("others", ())))  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class PropertyMapping:
    """One row of a property table: a source path feeding a target path of a declared type."""

    source: str
    target: str
    type: DataType | None  # None where the document says N/A: the value passes unchanged
    file: str
    line: int
    when: Condition | None = None  # the row holds only under this condition; the paths are clean


@dataclass(frozen=True, slots=True)
class MergeKey:
    """One row of a merge-key table: entities match when these two paths hold equal values."""

    source: str
    target: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class CreationRule:
    """Create a target only when the source is connected to a `via` entity synchronized `into` a system."""

    via: tuple[str, ...]
    into: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement of a section as written, for the checklist: its kind, its text and its line."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class EntityMapping:
    """One section of a document: how entities of one system are kept in sync with another's."""

    id: str
    title: str
    file: str
    line: int
    source_system: str
    source_entity: str
    target_system: str
    target_entity: str
    sync: SyncRule
    condition: str | None
    create_when_connected: CreationRule | None
    merge_or_create: bool
    merge_keys: tuple[MergeKey, ...]
    bidirectional: bool
    properties: tuple[PropertyMapping, ...]
    statements: tuple[Statement, ...] = ()

    def statement(self, kind: str) -> Statement | None:
        """The statement of that kind in this section, if the section has one."""
        return next((s for s in self.statements if s.kind == kind), None)


@dataclass(frozen=True, slots=True)
class Dataflow:
    """One dataflow document: a source system, a target system and its entity mappings."""

    file: str
    title: str
    source_system: str
    target_system: str
    generated: str | None
    line: int
    mappings: tuple[EntityMapping, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a reader of the document should know, found while parsing it."""

    file: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.code}]"


class SpecError(Exception):
    """A document that cannot be read: where, and what a person should fix."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The model of a set of documents plus what was found while reading them."""

    dataflows: tuple[Dataflow, ...]
    findings: tuple[Finding, ...] = field(default=())
