"""A document's property rows held against the vendors' own schemas: paths they lack, fields they keep read-only,
types they hold otherwise.

The generator reports these as findings at the row's line; the engine leaves out a row it cannot
write; the checks report the row's items "not verifiable" with the same words. Only systems whose
description has schemas (an OpenAPI extract) are judged: elsewhere nothing is known to judge by.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .description import describe
from .fields import Fields, fields_of

# Declared types a vendor's field of another type cannot hold as they are (a string field holds any of them as text).
_HOLDS = {"string": {"string", "integer", "float", "boolean"}, "integer": {"integer"},
          "float": {"float", "integer"}, "boolean": {"boolean"}, "datetime": {"string"}}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What a vendor's schema says against one side of one row: `code` is `vendor-unknown-path`,
    `vendor-read-only` or `vendor-type`; `blocking` problems make the row's items not verifiable."""

    index: int
    side: str  # "source" or "target"
    code: str
    message: str
    blocking: bool = True


def entity_fields(system: str, entity: str) -> Fields | None:
    """The vendor's fields of `entity` in `system`, or None where no schema describes them."""
    api = describe(system)
    return fields_of(api, api.entity(entity))


def row_problems(mapping: Any) -> list[RowProblem]:
    """Every problem the vendors' schemas find with `mapping`'s rows (an EntityMapping, read by attribute)."""
    sides = {"source": (mapping.source_system, mapping.source_entity), "target": (mapping.target_system,
                                                                              mapping.target_entity)}
    fields = {side: entity_fields(*where) for side, where in sides.items()}
    ids = {side: describe(system).id_of(describe(system).entity(entity)) for side, (system, entity) in sides.items()}
    problems: list[RowProblem] = []
    for index, row in enumerate(mapping.properties):
        for side, path, written in (("source", row.source, mapping.bidirectional), ("target", row.target, True)):
            known = fields[side]
            if known is None:
                continue
            system, entity = sides[side]
            name = describe(system).name
            field = known.find(path)
            if field is None:
                problems.append(RowProblem(index, side, "vendor-unknown-path",
                                           f"{name}'s API has no field {path!r} on {entity} records"))
            elif written and not field.writable and path != ids[side]:
                problems.append(RowProblem(index, side, "vendor-read-only",
                                           f"{name}'s API keeps {path!r} of {entity} records read-only"))
            elif side == "target" and row.type and field.type in _HOLDS and row.type not in _HOLDS[field.type]:
                problems.append(RowProblem(index, side, "vendor-type",
                                           f"{name}'s API holds {path!r} of {entity} records as {field.type}, "
                                           f"not {row.type}"))
            elif side == "target" and row.type and field.type == "string" and row.type != "string":
                problems.append(RowProblem(index, side, "vendor-type",
                                           f"{name}'s API holds {path!r} of {entity} records as text: the "
                                           f"{row.type} is written and read back as text", blocking=False))
    return problems


def blocking_rows(mapping: Any) -> dict[int, str]:
    """Row index -> why the vendor's API cannot carry it (the first blocking problem)."""
    found: dict[int, str] = {}
    for problem in row_problems(mapping):
        if problem.blocking:
            found.setdefault(problem.index, problem.message)
    return found
