"""The linked-pair checks: a section's statements, its property rows and the promises of a link, one
per kind of checklist item (generated modules call them through the package, `checks/__init__.py`).

Each check drives the sync engine through the `sync_harness` fixture (fresh fake APIs and
state) and asserts on what the fake APIs received and hold. Expected values come from the
spec row and the chosen input (`expected.py`), never from the engine.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from apis.description import describe as describe_api
from generator.model import EntityMapping, PropertyMapping
from sync.connectors.registry import is_chargebee
from sync.sut.base import INTERNAL, REPORT

from ..shared.causes import row_failed
from ..shared.messages import Message, Mismatch, fail, row_mismatch
from . import conditions, kept_fields
from .expected import held, holds, nested, read, same_value, vendor_type
from .records import ID_NAMES, carried, is_target_id, record, sample_values, skip_if_vendor_blocked
from .scenario import (
    MakeHarness,
    editable_row,
    fed_by_one_source,
    harness,
    key_value,
    linked_pair,
    linked_to,
    new_source,
    reversed_section,
    row_carried,
    same_collection,
    skip_without_change_times,
    target_count,
)
from .values import another, as_text, sample, source_kind, strategy


# --- statements -------------------------------------------------------------------------------

def sync_rule(make: MakeHarness, mapping: EntityMapping) -> None:
    if mapping.sync == "every" and same_collection(mapping) and mapping.merge_keys:
        # Synchronized with itself, a record holding a merge-key value is its own match: linked, never copied.
        merge_key(make, mapping, 0)
    elif mapping.sync == "every":
        h = harness(make, mapping)
        source_id = new_source(h, mapping, sample_values(mapping))
        before = target_count(h)
        report = h.run_pass()
        assert target_count(h) == before + 1, "exactly one target must be created"
        assert len(linked_to(h, source_id)) == 1
        if h.supports(REPORT):
            assert report.created == 1, f"the report must count the create: {report.summary()}"
        h.run_pass()
        assert target_count(h) == before + 1, "a second pass must not create another"
        _never_copied_back(h, mapping)
    elif mapping.sync == "link_required":
        h = harness(make, mapping)
        source_id = new_source(h, mapping, sample_values(mapping))
        before = target_count(h)
        report = h.run_pass()
        assert target_count(h) == before, "without a link nothing may be created"
        if not same_collection(mapping):  # synchronized with itself, a record matches its own merge keys
            assert linked_to(h, source_id) == [], "linked although nothing matches"
            assert report.skipped == 1, f"the unlinked entity must be reported as skipped: {report.summary()}"
        h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
        _assert_properties_arrived(h, mapping, source_id, target_id)
    else:
        h = harness(make, mapping)
        new_source(h, mapping, sample_values(mapping), condition=False)
        report = h.run_pass()
        assert target_count(h) == 0, f"created although the condition {mapping.condition!r} does not hold"
        assert report.skipped == 1, f"the entity the condition leaves out must be reported as skipped: {report.summary()}"
        holding = new_source(h, mapping, sample_values(mapping), condition=True)
        h.run_pass()
        assert target_count(h) == 1, f"not created although the condition {mapping.condition!r} holds"
        assert len(linked_to(h, holding)) == 1
        _respaced_condition_holds(make, mapping)


def _respaced_condition_holds(make: MakeHarness, mapping: EntityMapping) -> None:
    """The condition as another document spaces it (doubled, leading and trailing blanks) is the same rule:
    the engine finds its predicate (a section it cannot read would fail to start) and honours both branches."""
    spaced = dataclasses.replace(mapping, condition=f"  {'  '.join((mapping.condition or '').split())} ")
    h = make(spaced)
    left_out = new_source(h, mapping, sample_values(mapping), condition=False)
    holding = new_source(h, mapping, sample_values(mapping), condition=True)
    h.run_pass()
    assert linked_to(h, left_out) == [] and len(linked_to(h, holding)) == 1, (
        f"the condition spaced as {spaced.condition!r} is not the rule {mapping.condition!r}: links {h.links()}")


def _never_copied_back(h, mapping: EntityMapping) -> None:
    """No ping-pong: the target the engine created is no new source for a section that runs the other way
    between the same collections; read back, it would come home as a copy of the record it came from."""
    if same_collection(mapping) or h.source_connector.unsupported(mapping.source_entity, "create"):
        return
    sources = len(h.source.records())
    reverse = reversed_section(mapping)
    report = h.reverse_pass(reverse)
    h.run_pass()
    h.reverse_pass(reverse)
    assert len(h.source.records()) == sources, (
        f"the {mapping.target_entity} this section created was copied back into {mapping.source_system} by a "
        f"section the other way ({len(h.source.records()) - sources} new {mapping.source_entity}): "
        f"{report.summary()}")


def _assert_properties_arrived(h, mapping: EntityMapping, source_id: str, target_id: str) -> None:
    source = h.source.get(source_id)
    target = h.target.get(target_id)
    for index, row in carried(mapping):
        if is_target_id(mapping, row) or same_collection(mapping) or row.when is not None:
            continue
        expected = held(mapping, row, read(source, row.source))
        if fed_by_one_source(mapping, row) and not holds(read(target, row.target), expected):
            raise row_failed(mapping, index, row_mismatch(row, expected, read(target, row.target), mapping.target_system))


def creation_rule(make: MakeHarness, mapping: EntityMapping) -> None:
    rule = mapping.create_when_connected
    h = harness(make, mapping)
    values = sample_values(mapping)
    if same_collection(mapping):
        # Synchronized with itself, a record holding a merge-key value is its own match and never created:
        # the rule is for records without one.
        values = {path: value for path, value in values.items()
                  if path not in {key.source for key in mapping.merge_keys}}
    before = target_count(h)
    lonely = new_source(h, mapping, values)
    connected = new_source(h, mapping, values)
    made_by_hand = target_count(h) - before  # the same collection holds the sources too
    via = rule.via[-1]
    h.connect(connected, via, "qa-via-7")
    h.run_pass()
    assert target_count(h) == before + made_by_hand, (
        f"created although the connected {via} is not synchronized into {rule.into}")
    h.mark_synchronized(via, "qa-via-7")
    h.run_pass()
    assert target_count(h) == before + made_by_hand + 1, (
        f"not created although connected to a {via} synchronized into {rule.into}")
    assert linked_to(h, lonely) == []
    assert len(linked_to(h, connected)) == 1
    if INTERNAL in h.sut.capabilities:  # the reference engine's own bookkeeping, no promise of any other SUT's
        # Skipped while unconnected, it waited for another look; created, it waits no longer (only `lonely` does).
        assert connected not in h.state.to_revisit(mapping.id), (
            f"the {mapping.source_entity} created once its {via} was synchronized still waits for another look: "
            f"{sorted(h.state.to_revisit(mapping.id))}")


def merge_key(make: MakeHarness, mapping: EntityMapping, index: int) -> None:
    key = mapping.merge_keys[index]
    h = harness(make, mapping)
    value = key_value(mapping, index)
    existing = h.target.create(record({key.target: value}))
    if not holds(read(h.target.get(existing), key.target), value):
        pytest.skip(f"not verifiable: the {mapping.target_system} API assigns {key.target!r} itself")
    # Synchronized with itself, the record is its own match: it must not be copied.
    source_id = existing if same_collection(mapping) else new_source(h, mapping, {key.source: value})
    before, writes = target_count(h), _writes(h)
    report = h.run_pass()
    assert target_count(h) == before, (
        f"a matching {mapping.target_entity} exists ({key.target} = {value!r}): none may be created")
    linked = linked_to(h, source_id)
    assert len(linked) == 1, f"the {mapping.source_entity} must be linked once, links: {h.links()}"
    if not holds(read(h.target.get(linked[0]), key.target), value):
        raise fail(Message("the matched {entity} no longer holds its merge key {key}: {mismatch}",
                           entity=mapping.target_entity, key=key.target,
                           mismatch=Mismatch(value, read(h.target.get(linked[0]), key.target), mapping.target_system,
                                             key_type(mapping, index))))
    if same_collection(mapping):
        return
    assert report.linked == 1, f"the report must count the link by merge key: {report.summary()}"
    _no_update_without_a_write(h, report, writes, "linking by merge key")
    if key.source in (h.source_connector.id_field, *ID_NAMES):
        return  # the key is the source's own id: no second entity can share it
    # A second entity with the same value is the same entity too: it joins the first one's target.
    twin = new_source(h, mapping, {key.source: value})
    writes = _writes(h)
    report = h.run_pass()
    assert target_count(h) == before and linked_to(h, twin) == linked, (
        f"a second {mapping.source_entity} with {key.source} = {value!r} must be linked to {linked}, "
        f"links: {h.links()}")
    assert report.merged == 1, f"the report must count the second entity as merged: {report.summary()}"
    _no_update_without_a_write(h, report, writes, "merging a second entity")
    _key_given_as_text(h, mapping, index, value, before, linked)
    if mapping.sync != "link_required" and mapping.create_when_connected is None:
        _twins_in_one_pass(make, mapping, index)


def _writes(h) -> int:
    """Write requests both APIs have received so far (answered or not)."""
    return h.target.writes + (h.source.writes if h.source.fake is not h.target.fake or h.source.entity != h.target.entity
                              else 0)


def _no_update_without_a_write(h, report, writes: int, what: str) -> None:
    """A pass that sent neither API a write updated nothing: its report counts no update."""
    if _writes(h) == writes and h.supports(REPORT):
        assert report.updated == 0, (
            f"{what} sent no write to either API, yet the report counts {report.updated} update(s): "
            f"{report.summary()}")


def _key_given_as_text(h, mapping: EntityMapping, index: int, value: Any, before: int, linked: list[str]) -> None:
    """A number key that arrives as its text (`"42"` from a form, a CSV export or any HubSpot property) is the
    same key as the number `42` the other side holds: linked to it, never a new record."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    key = mapping.merge_keys[index]
    spelled = new_source(h, mapping, {key.source: as_text(value)})
    h.run_pass()
    assert target_count(h) == before and linked_to(h, spelled) == linked, (
        f"a {mapping.source_entity} with {key.source} = {as_text(value)!r} (text) must be linked to {linked}, "
        f"which holds {key.target} = {value!r}: links {h.links()}")


def _twins_in_one_pass(make: MakeHarness, mapping: EntityMapping, index: int) -> None:
    """Two new entities sharing the key, in one pass: one target is created, and the second joins it."""
    key = mapping.merge_keys[index]
    h = harness(make, mapping)
    value = key_value(mapping, index, 3)
    first, second = new_source(h, mapping, {key.source: value}), new_source(h, mapping, {key.source: value})
    before = target_count(h)
    report = h.run_pass()
    assert target_count(h) == before + 1 and len(linked_to(h, first)) == 1 and \
        linked_to(h, second) == linked_to(h, first), (
            f"two new {mapping.source_entity} entities with {key.source} = {value!r} must share one new target: "
            f"{target_count(h) - before} created, links {h.links()}")
    if h.supports(REPORT):
        assert (report.created, report.merged) == (1, 1), f"one created, one merged: {report.summary()}"
        # Where a fault was injected, a read may be the engine finding out what a lost answer did: no clause here.
        if not any(r.fault for r in (*h.source.fake.log, *h.target.fake.log)):
            assert "get" not in report.api_calls, f"the target this pass created was read back: {report.summary()}"


def merge_or_create_match(make: MakeHarness, mapping: EntityMapping) -> None:
    if not mapping.merge_keys:
        pytest.skip("not verifiable: the section lists no merge keys to match on")
    if same_collection(mapping):
        merge_key(make, mapping, 0)
        return
    key = mapping.merge_keys[0]
    h = harness(make, mapping)
    value = key_value(mapping, 0)
    existing = h.target.create(record({key.target: value}))
    if not holds(read(h.target.get(existing), key.target), value):
        pytest.skip(f"not verifiable: the {mapping.target_system} API assigns {key.target!r} itself")
    values = {**sample_values(mapping), key.source: value}
    source_id = new_source(h, mapping, values)
    before = target_count(h)
    h.run_pass()
    assert target_count(h) == before, "a match exists: it must be merged with, not duplicated"
    assert linked_to(h, source_id) == [existing], f"not linked to the match: {h.links()}"
    _assert_properties_arrived(h, mapping, source_id, existing)  # merged with, and updated
    if key.source not in (h.source_connector.id_field, *ID_NAMES):
        _twins_meeting_a_match(make, mapping)


def _twins_meeting_a_match(make: MakeHarness, mapping: EntityMapping) -> None:
    """Two new entities sharing the key of an existing target, in one pass: both are linked to it, none created
    (beside another target, so that no id of one system is mistaken for one of the other)."""
    key = mapping.merge_keys[0]
    h = harness(make, mapping)
    h.target.create(record({key.target: key_value(mapping, 0, 4)}))
    value = key_value(mapping, 0, 3)
    existing = h.target.create(record({key.target: value}))
    first, second = new_source(h, mapping, {key.source: value}), new_source(h, mapping, {key.source: value})
    before = target_count(h)
    report = h.run_pass()
    assert target_count(h) == before and linked_to(h, first) == [existing] and linked_to(h, second) == [existing], (
        f"two new {mapping.source_entity} entities with {key.source} = {value!r}, as {mapping.target_entity} "
        f"{existing} holds it, must both be linked to it: {target_count(h) - before} created, links {h.links()}")
    if h.supports(REPORT):
        assert (report.created, report.linked, report.merged) == (0, 1, 1), (
            f"one linked by merge key, one merged: {report.summary()}")
    keys = [k for k in mapping.merge_keys[:2] if k.source not in (h.source_connector.id_field, *ID_NAMES)]
    if len(keys) == 2:
        _matched_by_either_key(make, mapping, keys)


def _matched_by_either_key(make: MakeHarness, mapping: EntityMapping, keys: list) -> None:
    """An existing target holding two merge keys, and two new entities in one pass, each holding one of them:
    both are linked to it, the first by merge key, the second merged with the entity already linked there."""
    h = harness(make, mapping)
    values = [key_value(mapping, mapping.merge_keys.index(key), 7) for key in keys]
    existing = h.target.create(record({key.target: value for key, value in zip(keys, values)}))
    if not all(holds(read(h.target.get(existing), key.target), value) for key, value in zip(keys, values)):
        return  # the API assigns one of them itself
    first, second = (new_source(h, mapping, {key.source: value}) for key, value in zip(keys, values))
    report = h.run_pass()
    assert linked_to(h, first) == [existing] and linked_to(h, second) == [existing], (
        f"two new {mapping.source_entity} entities, one with {keys[0].source} and one with {keys[1].source} as "
        f"{mapping.target_entity} {existing} holds them, must both be linked to it: links {h.links()}")
    if h.supports(REPORT):
        assert (report.created, report.linked, report.merged) == (0, 1, 1), (
            f"one linked by merge key, one merged with the entity already linked there: {report.summary()}")
    _matched_through_the_first(make, mapping, keys, values)


def _matched_through_the_first(make: MakeHarness, mapping: EntityMapping, keys: list, values: list) -> None:
    """An existing target holding the first merge key only, and two new entities in one pass: the first holds both
    keys, the second only the other one, so it matches the first entity, not the target: the same entity, merged
    with it there, none created."""
    h = harness(make, mapping)
    existing = h.target.create(record({keys[0].target: values[0]}))
    first = new_source(h, mapping, {keys[0].source: values[0], keys[1].source: values[1]})
    second = new_source(h, mapping, {keys[1].source: values[1]})
    before = target_count(h)
    report = h.run_pass()
    assert target_count(h) == before and linked_to(h, first) == [existing] and linked_to(h, second) == [existing], (
        f"{mapping.source_entity} {second} shares {keys[1].source} = {values[1]!r} with {first}, linked to "
        f"{mapping.target_entity} {existing} by {keys[0].source}: it is the same entity and must be linked there too; "
        f"{target_count(h) - before} created, links {h.links()}")
    if h.supports(REPORT):
        assert (report.created, report.linked, report.merged) == (0, 1, 1), (
            f"one linked by merge key, one merged with the entity already linked there: {report.summary()}")


def merge_or_create_no_match(make: MakeHarness, mapping: EntityMapping) -> None:
    h = harness(make, mapping)
    values = sample_values(mapping)
    if mapping.merge_keys:
        key = mapping.merge_keys[0]
        h.target.create(record({key.target: key_value(mapping, 0, 1)}))
        values[key.source] = key_value(mapping, 0, 2)
    before = target_count(h)
    source_id = new_source(h, mapping, values)
    h.run_pass()
    assert target_count(h) == before + 1, "no match: a new target must be created"
    assert len(linked_to(h, source_id)) == 1


_NO_EDITABLE_ROW = ("no property row both sides can edit to different values (a boolean has two values, so both "
                    "edits would agree; an id or a field fed by several rows is not one side's to edit)")


def key_type(mapping: EntityMapping, index: int) -> str | None:
    """The declared type of the property row carrying merge key `index`, if one does."""
    key = mapping.merge_keys[index]
    return next((p.type for p in mapping.properties if p.source == key.source and p.target == key.target), None)


def _editable_row_or_skip(mapping: EntityMapping, why: str, two_valued: bool = False) -> tuple[int, PropertyMapping]:
    """A property row both sides can edit, or a skip that says why the item is not verifiable."""
    found = editable_row(mapping, two_valued=two_valued)
    if found is None and same_collection(mapping):
        pytest.skip("not verifiable: synchronized with itself, source and target are one record (no other side to edit)")
    if found is None:
        pytest.skip(f"not verifiable: {why}")
    return found


def bidirectional(make: MakeHarness, mapping: EntityMapping) -> None:
    index, row = _editable_row_or_skip(mapping, "no property row to carry an edit back to the source",
                                       two_valued=True)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    row_carried(h, mapping, index, row, source_id, target_id)  # else its own item is the cause
    kind = source_kind(mapping, index)
    edited = held(mapping, row, another(sample(kind, index), kind))
    h.target.edit(target_id, nested(row.target, edited))
    h.run_pass()
    if not _same_value(read(h.source.get(source_id), row.source), edited):
        raise fail(Message("an edit of {target} on the {side} side did not reach {source}: {mismatch}",
                           target=row.target, side=mapping.target_system, source=row.source,
                           mismatch=Mismatch(edited, read(h.source.get(source_id), row.source), mapping.source_system,
                                             row.type)))


_same_value = same_value


def property_row_values(mapping: EntityMapping, index: int):
    return strategy(mapping, index)


def property_row(make: MakeHarness, mapping: EntityMapping, index: int, value: Any) -> None:
    skip_if_vendor_blocked(mapping, index)
    row = mapping.properties[index]
    if is_target_id(mapping, row):
        pytest.skip(f"not verifiable: {row.target!r} is the id the {mapping.target_system} API assigns")
    if row.when is not None:
        conditions.property_row(make, mapping, index, value)
        return
    kind = source_kind(mapping, index)
    # A record as users keep it, every mapped field filled: a vendor refuses an address holding only its city.
    # (Synchronized with itself, the other rows write into the same record: the row's value alone.)
    others = {} if same_collection(mapping) else sample_values(mapping)
    h, source_id, target_id = linked_pair(make, mapping, {**others, row.source: value})
    _assert_row(h, mapping, row, target_id, held(mapping, row, value), "on create")

    kept = kept_fields.fill_beside(h, mapping, row, target_id)
    updated = another(value, kind)
    h.source.edit(source_id, nested(row.source, updated))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_row(h, mapping, row, target_id, held(mapping, row, updated), "on update")
    kept_fields.assert_kept(h, mapping, target_id, kept)

    if mapping.bidirectional and fed_by_one_source(mapping, row) and not same_collection(mapping):
        backwards = held(mapping, row, another(updated, kind))
        h.target.edit(target_id, nested(row.target, backwards))
        h.run_pass()
        assert _same_value(read(h.source.get(source_id), row.source), backwards), (
            f"read backwards, {row.target} = {backwards!r} did not reach {row.source}: "
            f"{read(h.source.get(source_id), row.source)!r}")
    if row.type is None:
        _passes_unchanged(h, mapping, row, source_id, target_id)


def _passes_unchanged(h, mapping: EntityMapping, row: PropertyMapping, source_id: str, target_id: str) -> None:
    """An N/A row declares no type: the value arrives as the source holds it, a number as a number (not its
    text). Seen only where neither API types the field itself and no other row reads the source field."""
    if (not fed_by_one_source(mapping, row) or same_collection(mapping)
            or any(p.source == row.source and p is not row for p in mapping.properties)
            or vendor_type(mapping.source_system, mapping.source_entity, row.source) is not None
            or vendor_type(mapping.target_system, mapping.target_entity, row.target) is not None
            or is_chargebee(mapping.source_system) or is_chargebee(mapping.target_system)):  # a form holds text
        return
    number = 4242
    h.source.edit(source_id, nested(row.source, number))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_row(h, mapping, row, target_id, number, "an N/A row given a number")


def _assert_row(h, mapping: EntityMapping, row: PropertyMapping, target_id: str, expected: Any, when: str) -> None:
    if not fed_by_one_source(mapping, row):
        return  # another row writes the same target path; which one wins is the engine's rule
    actual = read(h.target.get(target_id), row.target)
    if not holds(actual, expected):
        raise fail(row_mismatch(row, expected, actual, mapping.target_system, prefix=when))


def nothing_to_verify(make: MakeHarness, mapping: EntityMapping) -> None:
    pytest.skip("nothing to verify: the table lists no rows")


# --- promises of a link ----------------------------------------------------------------------

def no_echo(make: MakeHarness, mapping: EntityMapping) -> None:
    h, _source_id, _target_id = linked_pair(make, mapping, sample_values(mapping))
    h.run_pass()
    writes = (h.source.writes, h.target.writes)
    report = h.run_pass()
    assert (h.source.writes, h.target.writes) == writes, (
        f"a pass over unchanged data wrote {h.source.writes - writes[0]} source and "
        f"{h.target.writes - writes[1]} target requests")
    if h.supports(REPORT):
        assert report.created == 0 and report.updated == 0


def conflict(make: MakeHarness, mapping: EntityMapping) -> None:
    skip_without_change_times(mapping)
    index, row = _editable_row_or_skip(mapping, _NO_EDITABLE_ROW)
    kind = source_kind(mapping, index)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    row_carried(h, mapping, index, row, source_id, target_id)  # else no conflict can be told: the row is the cause
    first = another(sample(kind, index), kind)
    last = held(mapping, row, another(first, kind))
    h.source.edit(source_id, nested(row.source, first))
    h.target.edit(target_id, nested(row.target, last))  # later: the target's edit is the most recent
    report = h.run_pass()
    assert report.conflicts, "a property edited on both sides must be reported as a conflict"
    assert all(c.rule for c in report.conflicts)
    assert holds(read(h.target.get(target_id), row.target), last)
    assert _same_value(read(h.source.get(source_id), row.source), last)


def optimistic_locking(make: MakeHarness, mapping: EntityMapping) -> None:
    index, row = _editable_row_or_skip(mapping, _NO_EDITABLE_ROW)
    _updates_carry_their_condition(make, mapping, index, row)
    skip_without_change_times(mapping)  # the person's edit wins because it is the later one
    for written in ("target", "source"):  # a source edit flows to the target; then a target edit flows back
        _edited_under_the_engine(make, mapping, index, row, written)
    _same_edit_under_the_engine(make, mapping, index, row)


def _updates_carry_their_condition(make: MakeHarness, mapping: EntityMapping, index: int, row: PropertyMapping) -> None:
    """Where the target's API refuses a stale write, as its description says it does (`If-Match`, a version in the
    body, `If-Unmodified-Since`), every update the engine sends it carries the version or time it read."""
    api = describe_api(mapping.target_system)
    writes, style = api.writes, api.conditional_of(api.entity(mapping.target_entity))
    if style is None:
        return
    kind = source_kind(mapping, index)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    h.source.edit(source_id, nested(row.source, another(sample(kind, index), kind)))
    h.run_pass()
    updates = [r for r in h.target.requests if r.is_write and target_id in re.split(r"[/()']", r.path)]
    assert updates, f"an edit of {row.source} sent no update to {mapping.target_system}"
    for request in updates:
        carried = (isinstance(request.body, dict) and request.body.get(writes.version_field) is not None
                   if style == "version-field" else
                   request.headers.get("If-Match" if style == "if-match" else "If-Unmodified-Since"))
        assert carried, (f"{request.method} {request.path} went to {mapping.target_system} without the "
                         f"{writes.version_field or style} it read: a stale write would overwrite an "
                         "edit the engine has not seen")


def _edited_under_the_engine(make: MakeHarness, mapping: EntityMapping, index: int, row: PropertyMapping,
                             written: str) -> None:
    """An edit flows towards the `written` side, where a person edits the same property after the engine
    has read it, before it writes: read again, the person's later edit wins on both sides."""
    kind = source_kind(mapping, index)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    row_carried(h, mapping, index, row, source_id, target_id)  # else its own item is the cause
    flowing = another(sample(kind, index), kind)
    by_hand = another(flowing, kind)
    sides = {"source": (h.source, source_id, row.source, lambda value: value),
             "target": (h.target, target_id, row.target, lambda value: held(mapping, row, value))}
    handle, rid, path, spelled = sides["source" if written == "target" else "target"]
    handle.edit(rid, nested(path, spelled(flowing)))
    handle, rid, path, spelled = sides[written]
    handle.after_next_read(lambda: handle.edit(rid, nested(path, spelled(by_hand))))
    report = h.run_pass()
    assert not report.errors, f"a {written} changed under the engine must be read again, not fail: {report.errors}"
    # One entity brought up to date: one update, whether the write that settled it went out after the re-read,
    # or the refused one found the person's edit already there (nothing left to send).
    if h.supports(REPORT):
        assert report.updated == 1, (
            f"a {written} changed under the engine, read again and settled: the report must count one update, it "
            f"counts {report.updated}: {report.summary()}")
    h.run_pass()
    expected = held(mapping, row, by_hand)
    found = read(h.target.get(target_id), row.target) if written == "target" else read(h.source.get(source_id), row.source)
    if not _same_value(found, expected):
        raise fail(Message("the engine overwrote {path} = {by_hand}, an edit it had not read: {mismatch}",
                           path=path, by_hand=repr(by_hand),
                           mismatch=Mismatch(expected, found, getattr(mapping, f"{written}_system"), row.type)))
    for api, found in ((mapping.target_system, read(h.target.get(target_id), row.target)),
                       (mapping.source_system, read(h.source.get(source_id), row.source))):
        if not (holds if api == mapping.target_system else _same_value)(found, expected):
            raise fail(Message("after an edit under the engine, {path}: {mismatch}", path=path,
                               mismatch=Mismatch(expected, found, api, row.type)))


def _same_edit_under_the_engine(make: MakeHarness, mapping: EntityMapping, index: int, row: PropertyMapping) -> None:
    """A person makes on the target, as the engine's write arrives, the very edit the engine is sending: refused as
    stale (where the API refuses such writes), the write has nothing left to send, and the entity is up to date,
    counted as the one update it was."""
    kind = source_kind(mapping, index)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    row_carried(h, mapping, index, row, source_id, target_id)  # else its own item is the cause
    flowing = another(sample(kind, index), kind)
    h.source.edit(source_id, nested(row.source, flowing))
    h.target.before_next_write(lambda: h.target.edit(target_id, nested(row.target, held(mapping, row, flowing))))
    report = h.run_pass()
    assert not report.errors, f"a target changed under the engine must be read again, not fail: {report.errors}"
    found = read(h.target.get(target_id), row.target)
    if not holds(found, held(mapping, row, flowing)):
        raise fail(Message("after the edit the engine was sending was made by hand under it, {path}: {mismatch}",
                           path=row.target, mismatch=Mismatch(held(mapping, row, flowing), found,
                                                              mapping.target_system, row.type)))
    if h.supports(REPORT):
        assert report.updated == 1, (
            f"the edit of {row.source} the engine was sending was made on the target under it: the entity is up to "
            f"date in this pass, one update, but the report counts {report.updated}: {report.summary()}")
