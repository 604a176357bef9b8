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
class PropertyMapping:
    """One row of a property table: a source path feeding a target path of a declared type."""

    source: str
    target: str
    type: DataType | None  # None where the document says N/A: the value passes unchanged
    file: str
    line: int


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
