"""Setting up what a check needs through the harness: a source record, a linked pair (on `records.py`).

Everything here reads the spec (the mapping) and drives the fake APIs by hand, as a user of
each system would; nothing asks the engine what the answer should be.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

import pytest

from apis.description import describe
from apis.rows import entity_fields
from generator.model import EntityMapping, PropertyMapping

from ..shared.causes import SetupFailed, row_failed
from ..shared.messages import Keep, Message, Mismatch, errors_field, row_mismatch
from .conditions import section_fields, skip_without_predicate
from .expected import held, holds, read
from .records import carried, is_target_id, record
from .values import TWO_VALUED, merge_value, path_kind, source_kind

MakeHarness = Callable[..., Any]


def harness(make: MakeHarness, mapping: EntityMapping):
    """A fresh harness (a conditional section runs with the vocabulary's predicate, or is not verifiable).

    Skips (not verifiable) when a real API lacks an operation the pass needs, as its connector declares."""
    skip_without_predicate(make, mapping)
    h = make(mapping)
    lacking = h.unsupported()
    if lacking:
        pytest.skip(f"not verifiable: {lacking}")
    return h


def skip_without_change_times(mapping: EntityMapping) -> None:
    """"The most recent edit wins" needs both APIs to say when a record changed: a skip naming the one that does not."""
    for system, entity in ((mapping.source_system, mapping.source_entity),
                           (mapping.target_system, mapping.target_entity)):
        api = describe(system)
        if api.incremental_of(api.entity(entity)).field is None:
            pytest.skip(f"not verifiable: {api.name}'s {entity} records carry no change time, so which edit is the "
                        "most recent cannot be told")


def untouched_path(mapping: EntityMapping) -> str:
    """A field of the source that no row reads and its API takes: a top-level one, or a property of an API
    that keeps its fields in a map (HubSpot's `properties.*`)."""
    fields = entity_fields(mapping.source_system, mapping.source_entity)
    for path in ("qa_untouched_note", "properties.qa_untouched_note"):
        if fields is None or fields.find(path) is not None:
            return path
    return "qa_untouched_note"


def same_collection(mapping: EntityMapping) -> bool:
    return (mapping.source_system.casefold(), mapping.source_entity.casefold()) == (
        mapping.target_system.casefold(), mapping.target_entity.casefold())


def new_source(h, mapping: EntityMapping, values: dict[str, Any], condition: bool = True) -> str:
    """A new source record; for a conditional section, one its condition holds for (or, `condition=False`, not)."""
    return h.source.create(record(values, **section_fields(h.vocabulary, mapping, holding=condition)))


def link_target(h, mapping: EntityMapping, source_id: str) -> None:
    """Prepare what lets a link_required mapping link `source_id`: a merge match, a connection, or a link by hand."""
    if mapping.merge_keys and not same_collection(mapping):
        key = mapping.merge_keys[0]
        h.target.create(record({key.target: read(h.source.get(source_id), key.source)}))
    elif mapping.create_when_connected:
        via = mapping.create_when_connected.via[0]
        h.connect(source_id, via, "qa-via-1")
        h.mark_synchronized(via, "qa-via-1")
    elif not same_collection(mapping) or not mapping.merge_keys:
        h.link(source_id, h.target.create({}))


def linked_pair(make: MakeHarness, mapping: EntityMapping, values: dict[str, Any]):
    """(harness, source id, target id) after a first pass has linked a new source entity."""
    h = harness(make, mapping)
    if mapping.merge_keys and mapping.sync == "link_required":
        key_source = mapping.merge_keys[0].source
        values = {key_source: values.get(key_source, key_value(mapping, 0)), **values}
    source_id = new_source(h, mapping, values)
    if mapping.sync == "link_required":
        link_target(h, mapping, source_id)
    report = h.run_pass()
    if report.errors:
        _row_sent_wrong(h, mapping, source_id, report.errors)
        raise SetupFailed(mapping, Message("the first pass reported errors: {errors}", errors=errors_field(report.errors)))
    targets = linked_to(h, source_id)
    if len(targets) != 1:
        raise SetupFailed(mapping, f"expected the new {mapping.source_entity} to be linked once, links: {h.links()}")
    return h, source_id, targets[0]


def _row_sent_wrong(h, mapping: EntityMapping, source_id: str, errors: Any) -> None:
    """Where the first pass failed, a row whose value the engine sent wrong in its last write is the cause
    (a vendor refusing an integer the engine miscounted below its minimum), not the set-up."""
    writes = [r for r in h.target.requests if r.is_write and isinstance(r.body, dict)]
    if not writes:
        return
    source = h.source.get(source_id)
    for index, row in carried(mapping):
        if is_target_id(mapping, row) or same_collection(mapping) or row.when is not None \
                or not fed_by_one_source(mapping, row):
            continue
        sent, expected = read(writes[-1].body, row.target), held(mapping, row, read(source, row.source))
        if sent is not None and expected is not None and not holds(sent, expected):
            raise row_failed(mapping, index, Message(
                "set-up failed: the first pass reported errors: {errors}; the engine wrote {source} -> {target} "
                "({type}, line {line}): {mismatch}", errors=errors_field(errors), source=row.source, target=row.target,
                type=Keep(row.type or "N/A"), line=row.line,
                mismatch=Mismatch(expected, sent, mapping.target_system, row.type, verb="was sent")))


def target_count(h) -> int:
    return len(h.target.records())


def writes_to(handle, record_id: str) -> int:
    """Write requests the fake API answered for one record (its id is a segment of the request path, or an
    OData key: `/customers(id)`);
    a request it answered with an injected fault is the same write again, not another one."""
    return sum(1 for r in handle.requests
               if r.is_write and r.fault is None and str(record_id) in re.split(r"[/()']", r.path))


def row_carried(h, mapping: EntityMapping, index: int, row: PropertyMapping, source_id: str, target_id: str) -> None:
    """The linked pair holds the row's value as the source gave it; else the row's own item is the cause of
    whatever a check of the pair (a conflict, an edit carried back) would find wrong with it."""
    if not fed_by_one_source(mapping, row) or row.when is not None or is_target_id(mapping, row) \
            or same_collection(mapping):
        return
    expected = held(mapping, row, read(h.source.get(source_id), row.source))
    actual = read(h.target.get(target_id), row.target)
    if expected is not None and not holds(actual, expected):
        raise row_failed(mapping, index, row_mismatch(row, expected, actual, mapping.target_system))


def fed_by_one_source(mapping: EntityMapping, row: PropertyMapping) -> bool:
    """Whether only this row writes its target field: no other source writes it, nor a field above or under it."""
    def overlaps(path: str) -> bool:
        return path == row.target or path.startswith(row.target + ".") or row.target.startswith(path + ".")
    return all(p.source == row.source and p.target == row.target
               for p in mapping.properties if overlaps(p.target))


def key_value(mapping: EntityMapping, index: int, number: int = 0) -> Any:
    """A value for merge key `index` that suits every row its paths feed (`number` tells several apart)."""
    return merge_value(path_kind(mapping, mapping.merge_keys[index].source), index + number)


def editable_row(mapping: EntityMapping, *, two_valued: bool = True) -> tuple[int, PropertyMapping] | None:
    """A row the target side can edit: fed by one source, not an id; with two_valued=False, not a boolean."""
    if same_collection(mapping):
        return None
    for index, row in carried(mapping):
        if (not is_target_id(mapping, row) and fed_by_one_source(mapping, row)
                and row.when is None  # a conditioned row has its own check (conditions.py)
                and (two_valued or source_kind(mapping, index) not in TWO_VALUED)):
            return index, row
    return None


def linked_to(h, source_id: str) -> list[str]:
    """The target ids the state store links `source_id` to."""
    return [t for s, t in h.links() if s == source_id]


def reversed_section(mapping: EntityMapping) -> EntityMapping:
    """The section a paired document has the other way (B -> A beside A -> B), at its weakest: every B record
    synchronized, no merge key to find its A again, the rows reversed and untyped. Only the engine's memory
    of what it created itself keeps such a section from copying a created record back (Sesam's no ping-pong)."""
    rows = tuple(PropertyMapping(row.target, row.source, None, row.file, row.line)
                 for _index, row in carried(mapping) if row.when is None and not is_target_id(mapping, row))
    return dataclasses.replace(
        mapping, id=f"{mapping.id}/the-other-way", source_system=mapping.target_system,
        source_entity=mapping.target_entity, target_system=mapping.source_system,
        target_entity=mapping.source_entity, sync="every", condition=None, create_when_connected=None,
        merge_or_create=False, merge_keys=(), bidirectional=False, properties=rows, statements=())
