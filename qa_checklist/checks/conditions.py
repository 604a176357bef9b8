"""Checks of the documents' conditions: a section's free-text condition and a row's `(Dependant on ...)`.

Records that satisfy a condition, and records that do not, are built here from the spec and the
vocabulary's data (a predicate's field, operator and value; a concept's spelling in a system),
never by asking the engine; the assertions read what the fake APIs hold. A condition that
cannot be honoured (blank, several, a concept or predicate the vocabulary does not know) makes
the item "not verifiable" with the reason, never verified.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from generator.model import EntityMapping, PropertyMapping
from sync.connectors.registry import is_chargebee
from sync.errors import ConfigurationError
from sync.sut.base import INTERNAL
from generator.vocabulary import Predicate, Vocabulary, row_problem, section_problem

from apis.rows import entity_fields

from .expected import as_declared, held, holds, nested, read, wire_type
from .records import _merge, record, sample_values
from .values import another, sample, source_kind

OTHER = "qa-other-value"  # a discriminator value no vocabulary spells


def vocabulary_of(make: Any) -> Vocabulary:
    """The run's vocabulary, from the harness factory (or the factory a partial of it wraps)."""
    return getattr(make, "vocabulary", None) or getattr(getattr(make, "func", None), "vocabulary", None) \
        or Vocabulary.shipped()


def skip_without_predicate(make: Any, mapping: EntityMapping) -> None:
    """A conditional section whose condition has no predicate cannot run at all: say so, once the engine has
    been seen to refuse it aloud (never to synchronize it as if it had no condition)."""
    problem = section_problem(mapping, vocabulary_of(make))
    if problem is not None:
        _refused_aloud(make, mapping)
        pytest.skip(f"not verifiable: {problem}")


def _refused_aloud(make: Any, mapping: EntityMapping) -> None:
    """The engine refuses the section as a whole with an error that starts with the section's file:line and
    names the section and its condition, so the person running the sync sees what this item cannot show."""
    try:
        h = make(mapping)
    except ConfigurationError as exc:
        where = f"{mapping.file}:{mapping.line}:"
        assert str(exc).startswith(where) and mapping.id in str(exc) and (mapping.condition or "") in str(exc), (
            f"the engine must refuse {mapping.id} saying where ({where}) and which condition it cannot test "
            f"({mapping.condition!r}); it said {str(exc)!r}")
        return
    if h.supports(INTERNAL):  # the engine in this process: another SUT may refuse it only when asked for a pass
        raise AssertionError(f"the engine took {mapping.id}, whose condition {mapping.condition!r} it has no "
                             "predicate for, without a word: it would synchronize every entity")


def section_fields(vocabulary: Vocabulary, mapping: EntityMapping, holding: bool) -> dict:
    """The fields a source record needs for the section's condition to hold (or not)."""
    if mapping.sync != "conditional":
        return {}
    predicate = vocabulary.predicate_for(mapping.condition or "", mapping.source_system, mapping.source_entity)
    if predicate is None:
        return {}
    value = _witness(predicate, holding)
    return {} if value is _ABSENT else nested(predicate.field, value)


_ABSENT = object()


def _witness(predicate: Predicate, holding: bool) -> Any:
    """A field value for which the predicate holds, or one for which it does not (_ABSENT: no field)."""
    op, value = predicate.operator, predicate.value
    if op == "equals":
        return value if holding else f"{OTHER}-{value}"
    if op == "not_equals":
        return f"{OTHER}-{value}" if holding else value
    if op == "one_of":
        return value[0] if holding else OTHER
    if op == "empty":
        return _ABSENT if holding else OTHER
    if op == "not_empty":
        return OTHER if holding else _ABSENT
    number = float(value)
    step = -0.5 if op == "at_least" else 0.5
    # As text, the way APIs such as HubSpot's answer numeric properties.
    return _text(number) if holding else _text(number + step)


def _text(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


# --- rows under a condition -----------------------------------------------------------------

def property_row(make: Any, mapping: EntityMapping, index: int, value: Any) -> None:
    """Both branches of a conditioned row: where the condition holds the value arrives at the right
    place (the matching list item, or the record); where it does not, it does not arrive."""
    row = mapping.properties[index]
    vocabulary = vocabulary_of(make)
    problem = row_problem(row, mapping, vocabulary)
    if problem is not None:
        _left_out_aloud(make, mapping, row, problem)
        pytest.skip(f"not verifiable: {problem}")
    skip_without_predicate(make, mapping)
    if len({p.source for p in mapping.properties if p.target == row.target}) > 1:
        pytest.skip(f"not verifiable: several rows write {row.target!r}; which one wins is the engine's rule")
    if (mapping.source_system, mapping.source_entity) == (mapping.target_system, mapping.target_entity):
        pytest.skip("not verifiable: a record synchronized with itself holds both sides of the condition")
    system = mapping.source_system if row.when.side == "source" else mapping.target_system
    spelled = vocabulary.value_for(row.when.has, system, row.when.path)
    _skip_if_uncoercible(mapping, row, spelled)
    expected = held(mapping, row, value)
    kind = source_kind(mapping, index)
    if _creates_unlinked(mapping):
        _check_create(make, mapping, row, spelled, value, expected, kind)
    _check_linked(make, mapping, row, spelled, value, expected, kind)
    _check_spelled_otherwise(make, mapping, row, spelled, value, expected)


def _other_spellings(mapping: EntityMapping, row: PropertyMapping, spelled: str) -> list[Any]:
    """The condition's value as other APIs hold it in the field the condition reads: among several values of a
    list (`["EU", "NO"]` has NO), a JSON boolean for `true`, a number for `42`. Only for a source-side condition
    on the record, where the source API leaves the field untyped and no other row reads it."""
    if (row.when.side != "source" or _discriminated(row.source, row.when.path, mapping, "source")[0]
            or wire_type(mapping.source_system, mapping.source_entity, row.when.path) is not None
            or is_chargebee(mapping.source_system)
            or any(other.source == row.when.path for other in mapping.properties)):
        return []
    found: list[Any] = [[OTHER, spelled]]
    if spelled.lower() in ("true", "false"):
        found.append(spelled.lower() == "true")
    elif re.fullmatch(r"-?\d{1,15}", spelled):
        found.append(int(spelled))
    return found


def _check_spelled_otherwise(make, mapping, row, spelled, value, expected) -> None:
    h = _supported(make(mapping))
    pairs = []
    for other in _other_spellings(mapping, row, spelled):
        values = {path: v for path, v in sample_values(mapping).items() if path != row.source}
        built = _merge(record(values), section_fields(vocabulary_of(make), mapping, holding=True))
        sid = h.source.create(_merge(_merge(built, nested(row.source, value)), nested(row.when.path, other)))
        tid = h.target.create({})
        h.link(sid, tid)
        pairs.append((other, tid))
    if not pairs:
        return
    report = h.run_pass()
    assert not report.errors, report.errors
    for other, tid in pairs:
        assert holds(read(h.target.get(tid), row.target), expected), (
            f"where {row.when.path} holds {other!r}, which has {spelled!r}: {row.target} should hold {expected!r}, "
            f"the {mapping.target_system} API holds {read(h.target.get(tid), row.target)!r}")


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _left_out_aloud(make: Any, mapping: EntityMapping, row: PropertyMapping, problem: str) -> None:
    """A row the engine cannot honour is left out, never dropped in silence: its warning starts with the
    row's file:line and names the row and why, so the person running the sync sees what this item cannot show."""
    warnings, logger = _Warnings(), logging.getLogger("sync.engine")
    logger.addHandler(warnings)
    try:
        h = make(mapping)
    except ConfigurationError:  # a section the engine refuses as a whole: the sync item says so
        return
    finally:
        logger.removeHandler(warnings)
    if not h.supports(INTERNAL):  # another process's warnings reach its own log, not this one
        return
    where = f"{row.file}:{row.line}:"
    assert any(m.startswith(where) and mapping.id in m and f"{row.source} -> {row.target}" in m and problem in m
               for m in warnings.messages), (
        f"the engine must warn that it leaves out {row.source} -> {row.target} ({where} {problem}); "
        f"it warned {warnings.messages}")


def _creates_unlinked(mapping: EntityMapping) -> bool:
    return mapping.sync in ("every", "conditional") and mapping.create_when_connected is None


def _skip_if_uncoercible(mapping: EntityMapping, row: PropertyMapping, spelled: str) -> None:
    # The condition's field may feed typed rows too: the engine cannot coerce "NO" to an integer,
    # and an entity with a value it cannot coerce is left untouched, so neither branch can be seen.
    if row.when.side != "source":
        return
    for other in mapping.properties:
        if other.source == row.when.path and other.type in ("integer", "float", "boolean"):
            try:
                ok = as_declared(spelled, other.type) is not None and (
                    other.type != "boolean" or spelled.lower() in ("true", "false", "1", "0"))
            except ValueError:
                ok = False
            if not ok:
                pytest.skip(f"not verifiable: the condition's value {spelled!r} in {row.when.path!r} cannot be the "
                            f'"{other.type}" line {other.line} declares for it, so no record can satisfy both')


def _discriminated(path: str, condition_path: str, mapping: EntityMapping | None = None,
                   side: str = "") -> tuple[str, str, str]:
    """(the list the condition selects in, the value's path in an item, the discriminator's), or ("", path, cond).

    Read from the spec's two paths here, apart from the engine's own reading (`sync.paths`), so
    that a check never asks the code under test where a value belongs. Where the side's vendor
    schema says the shared prefix is one object (HubSpot's `properties`), no list is selected in:
    the condition is on the record, as for paths that share nothing.
    """
    value, condition = path.split("."), condition_path.split(".")
    shared = 0
    while shared < min(len(value), len(condition)) - 1 and value[shared] == condition[shared]:
        shared += 1
    prefix = ".".join(value[:shared])
    if prefix and mapping is not None and side:
        system, entity = ((mapping.source_system, mapping.source_entity) if side == "source"
                          else (mapping.target_system, mapping.target_entity))
        fields = entity_fields(system, entity)
        found = fields.find(prefix) if fields else None
        if found is not None and found.type == "object":
            return "", path, condition_path
    return prefix, ".".join(value[shared:]), ".".join(condition[shared:])


def _source_values(make: Any, mapping: EntityMapping, row: PropertyMapping, spelled: str, holding: bool,
                   value: Any, kind: str) -> dict:
    """A source record's values: a sample for every other row, the row's value under (or not) the condition."""
    values = {path: v for path, v in sample_values(mapping).items()
              if path != row.source and not path.startswith(row.source + ".")}
    built = _merge(record(values), section_fields(vocabulary_of(make), mapping, holding=True))
    if row.when.side != "source":
        return _merge(_merge(built, nested(row.source, value)), _feeding_the_condition(mapping, row, spelled, holding))
    return _merge(built, _conditioned(mapping, row, spelled, holding, value, kind))


def _feeding_the_condition(mapping: EntityMapping, row: PropertyMapping, spelled: str, holding: bool) -> dict:
    """For a target-side condition on a field other rows write (`OrganizationNumber (Dependant on having NO in
    MailAddress.CountryCode)` beside `countryCode -> MailAddress.CountryCode`): the source values that make the
    written field hold the condition's value, or not; the record the sync writes is the one the condition reads."""
    fields: dict = {}
    for index, other in enumerate(mapping.properties):
        if other.target == row.when.path and other.when is None and other is not row:
            fields = _merge(fields, nested(other.source, spelled if holding else
                                           sample(source_kind(mapping, index), 97)))
    return fields


def _conditioned(mapping: EntityMapping, row: PropertyMapping, spelled: str, holding: bool, value: Any,
                 kind: str) -> dict:
    """The source fields that put `value` at the row's path where the condition holds (or where it does not)."""
    path = row.source
    prefix, rest, discriminator = _discriminated(path, row.when.path, mapping, "source")
    if prefix:
        other_item = _merge(nested(discriminator, OTHER), nested(rest, another(value, kind) if holding else value))
        items = [other_item] + ([_merge(nested(discriminator, spelled), nested(rest, value))] if holding else [])
        return nested(prefix, items)
    miss = OTHER
    for other in mapping.properties:  # a value that suits the rows this field feeds, and is not the one
        if other.source == row.when.path and other is not row:
            miss = sample(source_kind(mapping, mapping.properties.index(other)), 97)
    return _merge(nested(path, value), nested(row.when.path, spelled if holding else miss))


def _check_create(make, mapping, row, spelled, value, expected, kind) -> None:
    h = _supported(make(mapping))
    holding = h.source.create(_source_values(make, mapping, row, spelled, True, value, kind))
    missing = h.source.create(_source_values(make, mapping, row, spelled, False, value, kind))
    report = h.run_pass()
    assert not report.errors, report.errors
    links = dict(h.links())
    assert holding in links, f"the {mapping.source_entity} was not synchronized: {h.links()}"
    created = h.target.get(links[holding])
    if row.when.side == "source":
        assert holds(read(created, row.target), expected), (
            f"on create, where {row.when.describe()} ({spelled!r}): {row.target} should hold {expected!r}, "
            f"the {mapping.target_system} API holds {read(created, row.target)!r}")
        if missing in links:
            held = read(h.target.get(links[missing]), row.target)
            assert held is None, (f"on create, where {row.when.path} does not hold {spelled!r}: "
                                  f"{row.target} must not be written, the API holds {held!r}")
    else:
        assert _held_under(created, mapping, row, spelled) == [expected], (
            f"on create: {row.target} where {row.when.path} has {spelled!r} should hold {expected!r}; "
            f"the {mapping.target_system} API holds {created!r}")


def _target_before(mapping: EntityMapping, row: PropertyMapping, spelled: str, holding: bool) -> dict:
    """A target made by hand before the pass: for a target-side condition, holding it or not."""
    if row.when.side != "target":
        return {}
    prefix, rest, discriminator = _discriminated(row.target, row.when.path, mapping, "target")
    if not prefix:
        return nested(row.when.path, spelled if holding else OTHER)
    items = [_merge(nested(discriminator, OTHER), nested(rest, "qa-before"))]
    if holding:
        items.append(_merge(nested(discriminator, spelled), nested(rest, "qa-before")))
    return nested(prefix, items)


def _held_under(record: dict, mapping: EntityMapping, row: PropertyMapping, spelled: str,
                path: str | None = None) -> list:
    """The values at the row's target path (or `path`) in the item(s), or record, whose discriminator holds `spelled`."""
    prefix, rest, discriminator = _discriminated(path or row.target, row.when.path, mapping, "source" if path else "target")
    node = read(record, prefix) if prefix else record
    holders = node if isinstance(node, list) else [node]
    found = []
    for item in holders:
        if isinstance(item, dict):
            held = read(item, discriminator)
            if held == spelled or (isinstance(held, list) and spelled in held):
                found.append(read(item, rest))
    return found


def _supported(h: Any) -> Any:
    """The harness, or a skip when a real API lacks an operation the pass needs (as its connector declares)."""
    lacking = h.unsupported()
    if lacking:
        pytest.skip(f"not verifiable: {lacking}")
    return h


def _check_linked(make, mapping, row, spelled, value, expected, kind) -> None:
    h = _supported(make(mapping))
    pairs = {}
    for holding in (True, False):
        sid = h.source.create(_source_values(make, mapping, row, spelled, holding, value, kind))
        tid = h.target.create(_target_before(mapping, row, spelled, holding))
        h.link(sid, tid)
        pairs[holding] = (sid, tid)
    report = h.run_pass()
    assert not report.errors, report.errors
    held, missed = h.target.get(pairs[True][1]), h.target.get(pairs[False][1])
    if row.when.side == "source":
        assert holds(read(held, row.target), expected), (
            f"where {row.when.describe()} ({spelled!r}): {row.target} should hold {expected!r}, "
            f"the {mapping.target_system} API holds {read(held, row.target)!r}")
        assert read(missed, row.target) is None, (
            f"where {row.when.path} does not hold {spelled!r}: {row.target} must not be written, "
            f"the API holds {read(missed, row.target)!r}")
    else:
        prefix, rest, discriminator = _discriminated(row.target, row.when.path, mapping, "target")
        assert _held_under(held, mapping, row, spelled) == [expected], (
            f"{row.target} where {row.when.path} has {spelled!r} should hold {expected!r}; the API holds {held!r}")
        if prefix:
            others = [read(i, rest) for i in read(held, prefix) + read(missed, prefix) if read(i, discriminator) == OTHER]
            assert others == ["qa-before", "qa-before"], (
                f"an item whose {discriminator} is not {spelled!r} was written: {others}")
            assert _held_under(missed, mapping, row, spelled) == [expected], (
                f"with no item whose {discriminator} is {spelled!r}, one must be added holding {expected!r}: {missed!r}")
        else:
            assert read(missed, row.target) is None, (
                f"the target's {row.when.path} does not hold {spelled!r}: {row.target} must not be written, "
                f"the API holds {read(missed, row.target)!r}")
    if mapping.bidirectional:
        _check_backwards(h, mapping, row, spelled, value, kind, pairs[True])


def _check_backwards(h, mapping, row, spelled, value, kind, pair) -> None:
    """Read backwards, an edit of the target reaches the source's place under the condition, and no other."""
    sid, tid = pair
    back = held(mapping, row, another(another(value, kind), kind))  # unlike the other item's value too
    target = h.target.get(tid)
    prefix, rest, discriminator = _discriminated(row.target, row.when.path, mapping, "target")
    if row.when.side == "target" and prefix:
        items = [_merge(dict(item), nested(rest, back)) if read(item, discriminator) == spelled else item
                 for item in read(target, prefix)]
        h.target.edit(tid, nested(prefix, items))
    else:
        h.target.edit(tid, nested(row.target, back))
    report = h.run_pass()
    assert not report.errors, report.errors
    source = h.source.get(sid)
    if row.when.side == "target":
        found = [read(source, row.source)]
    else:
        found = _held_under(source, mapping, row, spelled, path=row.source)
    assert [as_declared(v, "string") if v is not None else None for v in found] == [as_declared(back, "string")], (
        f"read backwards, {row.target} = {back!r} should reach {row.source} where {row.when.path} has {spelled!r}; "
        f"the {mapping.source_system} API holds {source!r}")
    prefix, rest, discriminator = _discriminated(row.source, row.when.path, mapping, "source")
    if row.when.side == "source" and prefix:
        others = [read(i, rest) for i in read(source, prefix) if read(i, discriminator) == OTHER]
        assert others == [another(value, kind)], f"read backwards, an item of another kind was written: {others}"
