"""Checks of a property row with the inputs users produce: text for typed fields, empty and missing
values, values that cannot be coerced, and lists of several items.

Each is one more test of a `property-N` item; where the row cannot carry such an input, the test
says why it is not verifiable.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from generator.model import EntityMapping, PropertyMapping
from apis.rows import entity_fields
from sync.connectors.registry import is_chargebee

from .expected import held, holds, nested, read, vendor_type, wire_type
from .records import carried, is_target_id, record, sample_values, skip_if_vendor_blocked
from .scenario import (
    MakeHarness,
    fed_by_one_source,
    harness,
    key_value,
    link_target,
    linked_pair,
    linked_to,
    new_source,
    same_collection,
    target_count,
    writes_to,
)
from .values import another, as_text, sample, source_kind

# Text no declared type can read: a typo in a number or a yes/no field.
_UNCOERCIBLE = {"integer": "12 apples", "float": "1,5 kg", "boolean": "maybe", "binary": "maybe"}


def _own_row(mapping: EntityMapping, index: int) -> PropertyMapping:
    """The row, or a skip when the check cannot tell its value apart at the target."""
    skip_if_vendor_blocked(mapping, index)
    row = mapping.properties[index]
    if is_target_id(mapping, row):
        pytest.skip(f"not verifiable: {row.target!r} is the id the {mapping.target_system} API assigns")
    if same_collection(mapping):
        pytest.skip("not verifiable here: synchronized with itself, the source is the target record")
    if row.when is not None:
        pytest.skip("not verifiable here: a conditioned row writes only where its condition holds (its own test)")
    if not fed_by_one_source(mapping, row):
        pytest.skip(f"not verifiable: other rows also write {row.target!r} (or a field above or under it)")
    return row


def _assert_holds(h, mapping: EntityMapping, row: PropertyMapping, target_id: str, expected: Any, when: str) -> None:
    actual = read(h.target.get(target_id), row.target)
    assert holds(actual, expected), (
        f"{when}: {row.source} -> {row.target} ({row.type or 'N/A'}, line {row.line}): expected {expected!r} "
        f"({type(expected).__name__}), the {mapping.target_system} API holds {actual!r}")


def _of_another_json_type(mapping: EntityMapping, row: PropertyMapping, kind: str) -> list[Any]:
    """Values of another JSON type that the row's type still reads, as one API or another sends them: a
    whole-number float for an integer, an integer for a float, 1 and 0 for a boolean, a yes/no and numbers for
    text. None where the source API types the field itself (it would hold them as its own type)."""
    if (row.type is None or wire_type(mapping.source_system, mapping.source_entity, row.source) is not None
            or is_chargebee(mapping.source_system)):
        return []
    return {"integer": [4300.0], "float": [43], "boolean": [1, 0], "string": [True, False, 4242, 42.5]}.get(kind, [])


def property_text_and_empty(make: MakeHarness, mapping: EntityMapping, index: int) -> None:
    """Text for a typed row arrives typed on create and on update; an empty value never overwrites."""
    row = _own_row(mapping, index)
    kind = source_kind(mapping, index)
    text = as_text(sample(kind, index))
    h, source_id, target_id = linked_pair(make, mapping, {**sample_values(mapping), row.source: text})
    _assert_holds(h, mapping, row, target_id, held(mapping, row, text), f"created from the text {text!r}")
    updated = another(text, kind)
    h.source.edit(source_id, nested(row.source, updated))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_holds(h, mapping, row, target_id, held(mapping, row, updated), f"updated to the text {updated!r}")

    h.source.edit(source_id, nested(row.source, ""))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_holds(h, mapping, row, target_id, held(mapping, row, updated),
                  "after the source was emptied (an empty value never overwrites a filled one)")

    for value in _of_another_json_type(mapping, row, kind):
        h.source.edit(source_id, nested(row.source, value))
        report = h.run_pass()
        assert not report.errors, report.errors
        _assert_holds(h, mapping, row, target_id, held(mapping, row, value),
                      f"updated to {value!r}, a JSON {type(value).__name__} where the row declares {row.type}")

    if mapping.bidirectional:
        h, source_id, target_id = linked_pair(make, mapping, {**sample_values(mapping), row.source: text})
        filled = read(h.source.get(source_id), row.source)  # the text, or what the source API made of it
        h.target.edit(target_id, nested(row.target, ""))
        report = h.run_pass()
        assert not report.errors, report.errors
        assert holds(read(h.source.get(source_id), row.source), filled), (
            f"emptied on the {mapping.target_system} side, {row.target} overwrote {row.source} = {filled!r}: "
            f"{read(h.source.get(source_id), row.source)!r}")



_NUMBERS = frozenset({"integer", "float"})  # "12 apples" and "1,5 kg" are neither
# The declared or vendor types a row may have for a value of the kind to be no text: what an error names.
_WANTED = {"integer": _NUMBERS, "float": _NUMBERS, "boolean": frozenset({"boolean"}),
           "binary": frozenset({"boolean"}) | _NUMBERS, "string": frozenset({"string", "text"})}
# The one JSON value no text row can read: a yes/no or a number is read as its text, a list item by item.
_AN_OBJECT = {"qa": "an object"}


def _needing(mapping: EntityMapping, source: str, kind: str) -> bool:
    """Whether a row the engine writes unconditionally from `source` holds `kind` values (by its declared type or
    the target vendor's own): only there is text that cannot be one an error of the entity."""
    wanted = _WANTED[kind]
    return any({row.type, vendor_type(mapping.target_system, mapping.target_entity, row.target)} & wanted
               for _index, row in carried(mapping) if row.source == source and row.when is None)


def _refused_on_update(make: MakeHarness, mapping: EntityMapping, index: int, row: PropertyMapping, kind: str,
                       bad: Any) -> None:
    """`bad` reaches a linked entity: the entity is reported (naming the value) and left untouched, another in
    the same pass is synchronized, and once the value is fixed the entity is too."""
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    other_values = {**sample_values(mapping), **_other_keys(mapping)}
    other = new_source(h, mapping, other_values)
    if mapping.sync == "link_required":
        link_target(h, mapping, other)
    report = h.run_pass()
    assert not report.errors, report.errors
    [other_target] = linked_to(h, other)

    before = h.target.get(target_id)
    writes = writes_to(h.target, target_id)
    good = another(sample(kind, index), kind)
    h.source.edit(source_id, nested(row.source, bad))
    h.source.edit(other, nested(row.source, good))
    report = h.run_pass()
    assert [e.entity_id for e in report.errors] == [source_id], (
        f"{row.source} = {bad!r} cannot be a {row.type}: expected one error for entity {source_id}, "
        f"got {report.errors}")
    message = report.errors[0].message
    assert str(bad) in message, f"the error must name the value {bad!r}: {message!r}"
    assert any(re.search(rf"\b{name}\b", message) for name in _WANTED[kind]), (
        f"the error must name the type {bad!r} cannot be ({' or '.join(sorted(_WANTED[kind]))}): {message!r}")
    assert writes_to(h.target, target_id) == writes and h.target.get(target_id) == before, (
        f"the entity with the uncoercible {row.source} = {bad!r} must be left untouched")
    _assert_holds(h, mapping, row, other_target, held(mapping, row, good),
                  "another entity in the same pass as an uncoercible one")

    fixed = another(good, kind)
    h.source.edit(source_id, nested(row.source, fixed))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_holds(h, mapping, row, target_id, held(mapping, row, fixed), "once the value was fixed")


def _first_text_row(mapping: EntityMapping) -> int | None:
    """The first row an object as input is checked on: a "string" row of its own (see `_own_row`), read from a
    source API that leaves the field untyped."""
    for index, row in enumerate(mapping.properties):
        if (row.type == "string" and source_kind(mapping, index) == "string" and row.when is None
                and not is_target_id(mapping, row) and fed_by_one_source(mapping, row)
                and _of_another_json_type(mapping, row, "string")):
            try:
                skip_if_vendor_blocked(mapping, index)
            except pytest.skip.Exception:
                continue
            return index
    return None


def _object_refused(make: MakeHarness, mapping: EntityMapping, row: PropertyMapping) -> None:
    """An object in a text row's source field is reported for its entity, naming the value and the type, and
    the entity is left untouched."""
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    before, writes = h.target.get(target_id), writes_to(h.target, target_id)
    h.source.edit(source_id, nested(row.source, _AN_OBJECT))
    report = h.run_pass()
    assert [e.entity_id for e in report.errors] == [source_id], (
        f"{row.source} = {_AN_OBJECT!r} cannot be a {row.type}: expected one error for entity {source_id}, "
        f"got {report.errors}")
    message = report.errors[0].message
    # Named as JSON (a service in any language) or as Python shows it (this engine).
    named = (json.dumps(_AN_OBJECT), json.dumps(_AN_OBJECT, separators=(",", ":")), str(_AN_OBJECT))
    assert any(form in message for form in named), f"the error must name the value {named[0]}: {message!r}"
    assert any(re.search(rf"\b{name}\b", message) for name in _WANTED["string"]), (
        f"the error must name the type {_AN_OBJECT!r} cannot be ({' or '.join(sorted(_WANTED['string']))}): "
        f"{message!r}")
    assert writes_to(h.target, target_id) == writes and h.target.get(target_id) == before, (
        f"the entity with the uncoercible {row.source} = {_AN_OBJECT!r} must be left untouched")


def property_uncoercible(make: MakeHarness, mapping: EntityMapping, index: int) -> None:
    """A value the declared type cannot read is reported for its entity, which is left untouched;
    the rest of the pass goes on, and the entity is synchronized once the value is fixed."""
    row = _own_row(mapping, index)
    kind = source_kind(mapping, index)
    if kind == "string" and row.type == "string" and _of_another_json_type(mapping, row, kind):
        # A source API that leaves the field untyped can hold an object there, which is no text. (That the rest of
        # the pass goes on, and the entity follows once fixed, the other types' inputs show: no second time here.)
        first = _first_text_row(mapping)
        if first != index:  # one rule, the engine's reading of text: once per section
            pytest.skip(f"not verifiable here: an object as a text row's input is checked once per section, on "
                        f"{mapping.properties[first].source} -> {mapping.properties[first].target}")
        _object_refused(make, mapping, row)
        return
    if kind not in _UNCOERCIBLE:
        pytest.skip(f"not verifiable: a {row.type or 'N/A'} row takes any text, so no input is uncoercible")
    held_as = wire_type(mapping.source_system, mapping.source_entity, row.source)
    if held_as not in (None, "string"):
        pytest.skip(f"not verifiable: {mapping.source_system} holds {row.source!r} as {held_as}, so no text "
                    "reaches the engine there")
    if not _needing(mapping, row.source, kind):
        pytest.skip(f"not verifiable: no row the engine writes from {row.source!r} at all times needs a {kind}: "
                    f"the {kind} rows beside this one are left out or written only under their condition, so text "
                    "is no error there")
    bad = _UNCOERCIBLE[kind]
    _refused_on_update(make, mapping, index, row, kind, bad)
    if kind == "float":  # a number no JSON can carry to the API, as a form or a spreadsheet gives it
        _refused_on_update(make, mapping, index, row, kind, "Infinity")
    if held_as is None and not is_chargebee(mapping.source_system):  # values of another JSON type, as JSON gives them
        for other in {"integer": [True], "float": [True], "boolean": [2]}.get(kind, []):  # a yes/no for a number,
            _refused_on_update(make, mapping, index, row, kind, other)                  # a number for a yes/no

    if mapping.sync == "every" and not mapping.create_when_connected:
        h = harness(make, mapping)
        before_count = target_count(h)
        rejected = new_source(h, mapping, {**sample_values(mapping), row.source: bad})
        report = h.run_pass()
        assert [e.entity_id for e in report.errors] == [rejected], report.errors
        assert target_count(h) == before_count and linked_to(h, rejected) == [], (
            f"created although {row.source} = {bad!r} cannot be a {row.type}")
        h.source.edit(rejected, nested(row.source, another(sample(kind, index), kind)))
        h.run_pass()
        assert len(linked_to(h, rejected)) == 1 and target_count(h) == before_count + 1, (
            "an entity that failed is not synchronized once its value is fixed")


def _other_keys(mapping: EntityMapping) -> dict[str, Any]:
    """Merge-key values for a second entity, so it does not match the first one's target."""
    return {key.source: key_value(mapping, number, 5) for number, key in enumerate(mapping.merge_keys)}


def property_list_items(make: MakeHarness, mapping: EntityMapping, index: int) -> None:
    """Read through a list, every item's value arrives, in order, on create and on update."""
    row = _own_row(mapping, index)
    head, _, rest = row.source.partition(".")
    if "." not in row.target:
        pytest.skip(f"not verifiable: {row.source} -> {row.target} does not run through an object that "
                    "could hold a list of items")
    if not rest:
        _one_value_into_a_list(make, mapping, index, row)
        return
    if is_chargebee(mapping.target_system):
        pytest.skip(f"not verifiable: Chargebee takes {row.target.split('.')[0]!r} in its own wire form, "
                    "not as a list of objects")
    for system, entity, path in ((mapping.source_system, mapping.source_entity, head),
                                 (mapping.target_system, mapping.target_entity, row.target.split(".")[0])):
        fields = entity_fields(system, entity)
        found = fields.find(path) if fields else None
        if found is not None and found.type != "array":
            pytest.skip(f"not verifiable: {system}'s API holds {path!r} as {found.type or 'one value'}, "
                        "not as a list of items")
    if mapping.sync == "conditional":
        pytest.skip("not verifiable here: the section's condition reads the record, and a list in its place "
                    "would change whether it holds")
    if any(key.source.startswith(head + ".") for key in mapping.merge_keys):
        pytest.skip(f"not verifiable: a merge key reads {head!r}, which as a list would match on every item")
    kind = source_kind(mapping, index)
    first = [sample(kind, index), another(sample(kind, index), kind)]
    values = {path: value for path, value in sample_values(mapping).items() if not path.startswith(head + ".")}
    h, source_id, target_id = linked_pair(make, mapping, {**values, head: _items(mapping, head, row.source, first)})
    expected = [held(mapping, row, v) for v in first]
    _assert_list(h, mapping, row, target_id, expected, "created from a list of two items")
    # As a form or a CSV export gives them, each item's value as text: coerced item by item.
    second = [as_text(another(v, kind)) if kind != "string" else another(v, kind) for v in first]
    h.source.edit(source_id, {head: _items(mapping, head, row.source, second)})
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_list(h, mapping, row, target_id, [held(mapping, row, v) for v in second], "both items updated")
    _nothing_rewritten(h, mapping, row, target_id, "a list whose items it already holds")
    # An item added after the others, which stay as they were: the target's list grows by it.
    third = [*second, another(second[-1], kind)]
    h.source.edit(source_id, {head: _items(mapping, head, row.source, third)})
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_list(h, mapping, row, target_id, [held(mapping, row, v) for v in third], "a third item added")


def _nothing_rewritten(h, mapping: EntityMapping, row: PropertyMapping, target_id: str, what: str) -> None:
    writes = writes_to(h.target, target_id)
    report = h.run_pass()
    assert not report.errors and writes_to(h.target, target_id) == writes, (
        f"{row.source} -> {row.target}: a pass over {what} wrote to {mapping.target_system} again "
        f"({writes_to(h.target, target_id) - writes} writes)")


def _items_holding_it_unchanged(make: MakeHarness, mapping: EntityMapping, row: PropertyMapping, head: str,
                                leaf: str) -> None:
    """A source linked to a target whose items all hold its value already (and every other row's): nothing is
    written, on the first pass or after. Only where every row is plain (no condition, no shared target)."""
    rows = [r for _i, r in carried(mapping) if not is_target_id(mapping, r)]
    if any(r.when is not None or not fed_by_one_source(mapping, r) for r in rows):
        return
    h = harness(make, mapping)
    values = sample_values(mapping)
    source_id = new_source(h, mapping, values)
    source = h.source.get(source_id)
    one = nested(leaf, held(mapping, row, read(source, row.source)))
    target_id = h.target.create(record({other.target: held(mapping, other, read(source, other.source))
                                        for other in rows if other is not row}, **{head: [one, copy.deepcopy(one)]}))
    h.link(source_id, target_id)
    _nothing_rewritten(h, mapping, row, target_id, f"two {head} items that both hold the value already")
    _nothing_rewritten(h, mapping, row, target_id, f"two {head} items that both hold the value already")


def _one_value_into_a_list(make: MakeHarness, mapping: EntityMapping, index: int, row: PropertyMapping) -> None:
    """One source value into a target path through a list the target holds with several items (`Emails.Value`
    where a person has two e-mails): the value reaches every item, and a value every item already holds is
    unchanged (never written again each pass)."""
    head, _, leaf = row.target.partition(".")
    fields = entity_fields(mapping.target_system, mapping.target_entity)
    found = fields.find(head) if fields else None
    if found is None or found.type != "array" or is_chargebee(mapping.target_system):
        pytest.skip(f"not verifiable: {mapping.target_system}'s API does not hold {head!r} as a list of items")
    kind = source_kind(mapping, index)
    _items_holding_it_unchanged(make, mapping, row, head, leaf)
    h, source_id, target_id = linked_pair(make, mapping, sample_values(mapping))
    now = read(h.source.get(source_id), row.source)
    h.target.edit(target_id, {head: [nested(leaf, held(mapping, row, now)), nested(leaf, held(mapping, row, now))]})
    source_writes = h.source.writes
    h.run_pass()
    # Both items hold the source's value: the target's edit says nothing new, and nothing goes back to the source.
    assert h.source.writes == source_writes and read(h.source.get(source_id), row.source) == now, (
        f"{row.target}: two items holding the source's {now!r} were carried back to {row.source} as an edit: "
        f"{read(h.source.get(source_id), row.source)!r} ({h.source.writes - source_writes} writes)")
    edited = another(now, kind)
    h.source.edit(source_id, nested(row.source, edited))
    report = h.run_pass()
    assert not report.errors, report.errors
    _assert_list(h, mapping, row, target_id, [held(mapping, row, edited)] * 2, "one value written to two items")
    _nothing_rewritten(h, mapping, row, target_id, f"two {head} items that both hold {edited!r}")


def _items(mapping: EntityMapping, head: str, path: str, values: list[Any]) -> list[dict]:
    """Items of the list at `head`: `values` at `path`, and a sample value for every other row reading the list."""
    items = []
    for number, value in enumerate(values):
        item: dict = {}
        for index, row in carried(mapping):
            if row.source.startswith(head + ".") and row.source != path:
                _put(item, row.source[len(head) + 1:], sample(source_kind(mapping, index), index + number))
        _put(item, path[len(head) + 1:], value)
        items.append(item)
    return items


def _put(record: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        record = record.setdefault(part, {})
    record[leaf] = value


def _assert_list(h, mapping: EntityMapping, row: PropertyMapping, target_id: str, expected: list, when: str) -> None:
    actual = read(h.target.get(target_id), row.target)
    assert isinstance(actual, list) and len(actual) == len(expected) and all(
        holds(a, e) for a, e in zip(actual, expected)), (
        f"{when}: {row.source} -> {row.target} (line {row.line}): expected every item, in order, "
        f"{expected!r}; the {mapping.target_system} API holds {actual!r}")
