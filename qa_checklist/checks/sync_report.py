"""The pass report, as the person who runs the sync reads it: its API calls are the requests the APIs
received (every write with its idempotency key, where the API takes one), the next pass asks each API
only for what changed since the previous one (where it can), nothing is left waiting once the data
has settled, and a listing that fails stops the pass and says so.
"""
from __future__ import annotations

import copy
import re
import time
from collections import Counter

from generator.model import EntityMapping
from sync.sut.base import INTERNAL, STATE_SEED

from ..shared.messages import fail, row_mismatch
from .expected import held, holds, nested, read
from .pair import ScriptedFaults, _editable_rows
from .records import sample_values
from .scenario import MakeHarness, editable_row, harness, key_value, link_target, new_source, same_collection
from .values import another, source_kind

# More refusals than the transport retries one request: the listing fails for the whole pass.
LISTING_DOWN = ("500",) * 8
# How far ahead a clock set wrong (or a bad import) puts a record's change time: years, past any slack.
YEARS_AHEAD = 10 * 365 * 86400


def _fakes(h) -> list:
    """Each API the pass talks to (one when both sides live in one system)."""
    return list({id(fake): fake for fake in (h.source.fake, h.target.fake)}.values())


def _kind(h, fake, request) -> str:
    """What a request was, in the report's words, from where it went (the connectors' endpoints)."""
    session = _connector(h, fake).api.auth.session
    if session is not None and request.path == session.path:
        return "auth"  # the session request that makes the password (Tripletex), of whichever side's API
    at_source = fake is h.source.fake and request.entity == h.source.entity
    connector, entity = (h.source_connector, h.source.entity) if at_source else (h.target_connector, h.target.entity)
    endpoint = connector.endpoint(entity)
    api = connector.api
    search = api.incremental_of(api.entity(entity)).search  # a search POSTed for changes is a listing
    if not request.is_write:
        return "list" if request.path in (endpoint.listing, endpoint.path + search if search else None) else "get"
    return "create" if request.path == endpoint.path else "update"


def _connector(h, fake):
    return h.source_connector if fake is h.source.fake else h.target_connector


def _a_call_of_its_own(h, fake, request) -> bool:
    """Whether a request is one of the pass's API calls. One answered with an injected fault (a run with
    --api-faults) is the transport's retry of one call, except a create the transport may not send again:
    to an API without idempotency keys, after a 5xx or a lost answer (the engine looks for what it made)."""
    if request.fault is None:
        return True
    return (request.fault in ("500", "503", "lost") and not _connector(h, fake).idempotency_header
            and _kind(h, fake, request) == "create")


def _pass_told_truly(h, what: str):
    """Runs a pass and holds its report to the requests the fake APIs logged meanwhile, each write
    carrying its API's idempotency key (if it takes one); returns the report and the source API's listings."""
    marks = [(fake, len(fake.log)) for fake in _fakes(h)]
    report = h.run_pass()
    assert report.mapping_id == h.mapping.id, f"{what}: the report names {report.mapping_id!r}, not {h.mapping.id!r}"
    received = Counter(_kind(h, fake, r) for fake, mark in marks for r in fake.log[mark:]
                       if _a_call_of_its_own(h, fake, r))
    assert report.api_calls == dict(received), (
        f"{what}: the report lists API calls {report.api_calls}, the APIs received {dict(received)}")
    # An entity counted as updated was sent an update (one the API applied, or refused as stale and found done).
    assert report.updated <= received["update"], (
        f"{what}: the report counts {report.updated} update(s), the APIs received {received['update']} update "
        "request(s)")
    for fake, mark in marks:
        for request in fake.log[mark:]:
            connector = _connector(h, fake)
            header = (connector.idempotency_header or "").casefold()
            assert not request.is_write or not header or header in map(str.casefold, request.headers), (
                f"{what}: {request.method} {request.path} went out without {connector.idempotency_header}: "
                "a write the transport retries must not apply twice")
    return report, {side: [r for fake, mark in marks for r in fake.log[mark:]
                           if r.entity == handle.entity and fake is handle.fake and _kind(h, fake, r) == "list"]
                    for side, handle in (("source", h.source), ("target", h.target))}


def _asks_for_changes(h, listings: dict, side: str, which: str, since_when: str) -> None:
    """A pass asks the side's API (where it can be asked) only for the records changed since `since_when` pass."""
    since = getattr(h, f"{side}_connector").since_param
    system, entity = getattr(h.mapping, f"{side}_system"), getattr(h.mapping, f"{side}_entity")
    if since:
        assert listings[side] and all(since in r.params for r in listings[side]), (
            f"{which} must ask {system} only for {entity} records changed since {since_when} ({since}=...); "
            f"it asked {[r.params for r in listings[side]]}")


def _writes(h) -> int:
    return sum(1 for fake in _fakes(h) for r in fake.log if r.is_write)


def pass_report(make: MakeHarness, mapping: EntityMapping) -> None:
    h = harness(make, mapping)
    keys = {k.source: key_value(mapping, n) for n, k in enumerate(mapping.merge_keys)}
    source_id = new_source(h, mapping, {**sample_values(mapping), **keys})
    if mapping.sync == "link_required":
        link_target(h, mapping, source_id)
    first, _ = _pass_told_truly(h, "the first pass")
    assert not first.errors, first.errors

    second, listings = _pass_told_truly(h, "a pass over unchanged data")
    assert (second.created, second.updated, second.linked, second.merged, second.errors) == (0, 0, 0, 0, ()), (
        f"a pass over unchanged data did something: {second.summary()}")
    _asks_for_changes(h, listings, "source", "the second pass", "the first")
    if INTERNAL in h.sut.capabilities:  # the reference engine's own bookkeeping, no promise of any other SUT's
        assert not h.state.to_revisit(mapping.id), (
            f"nothing changed, yet {sorted(h.state.to_revisit(mapping.id))} still wait for another look")

    found = editable_row(mapping)
    edited = None
    if found is not None:
        index, row = found
        edited = another(read(h.source.get(source_id), row.source), source_kind(mapping, index))
        h.source.edit(source_id, nested(row.source, edited))
    writes = _writes(h)
    plan, h.source.fake.faults = h.source.fake.faults, ScriptedFaults(*LISTING_DOWN, on="reads")
    down = h.run_pass()
    assert [(e.entity_id, e.side) for e in down.errors] == [("", "list")], (
        f"a listing of {mapping.source_system} {mapping.source_entity} that fails must stop the pass with one "
        f"error for the listing, got {down.errors}")
    assert mapping.source_system in down.errors[0].message and mapping.source_entity in down.errors[0].message, (
        f"the listing error must name {mapping.source_system} {mapping.source_entity}: {down.errors[0].message!r}")
    assert _writes(h) == writes, (
        "a pass whose listing failed must write nothing: an unread system is not an empty one")

    h.source.fake.faults = plan
    after, listings = _pass_told_truly(h, "the pass after a failed listing")
    assert not after.errors, after.errors
    # The target's listing of the second pass held what the first one created: from it on, changes only.
    _asks_for_changes(h, listings, "target", "the pass after a failed listing", "the second")
    if found is not None and h.links():
        target_id = dict(h.links())[source_id]
        expected = held(mapping, row, edited)
        if not holds(read(h.target.get(target_id), row.target), expected):
            raise fail(row_mismatch(row, expected, read(h.target.get(target_id), row.target), mapping.target_system,
                                    typed=False, prefix="an edit made before a failed listing was lost"))
    _change_times_in_the_future(h, mapping, source_id)
    _linked_to_a_record_never_listed(h, mapping)
    _linked_to_a_source_not_held(h, mapping)


def _in_the_future(handle, rid: str) -> None:
    """The record as its API would hold it after a write stamped years ahead; listed as changed."""
    fake, ahead = handle.fake, int(time.time()) + YEARS_AHEAD
    fake.store.replace(handle.entity, rid, fake.stamped(handle.entity, copy.deepcopy(handle.get(rid)), ahead, False),
                       ahead)


def _change_times_in_the_future(h, mapping: EntityMapping, source_id: str) -> None:
    """A record whose change time is in the future is reported for its side and id (as a cursor, that time would
    hide every later change), and the pass goes on."""
    links = dict(h.links())
    if same_collection(mapping) or source_id not in links:
        return
    for side, handle, rid, connector in (("source", h.source, source_id, h.source_connector),
                                         ("target", h.target, links[source_id], h.target_connector)):
        if not connector.updated_at_field:
            continue
        _in_the_future(handle, rid)
        report = h.run_pass()
        system, entity = getattr(mapping, f"{side}_system"), getattr(mapping, f"{side}_entity")
        assert [(e.entity_id, e.side) for e in report.errors] == [(rid, side)], (
            f"the {system} {entity} {rid}'s change time is years ahead: the pass must report it, once, for the "
            f"{side} and that record, got {report.errors}")
        handle.edit(rid, {})  # its clock put right: a change time of now



def _linked_to_a_record_never_listed(h, mapping: EntityMapping) -> None:
    """A link given by other means (a links file) to a target record no pass has listed, its change time older
    than the last pass (an import keeps a record's own): the pass reads that record before it writes to it, and
    the source's values reach it."""
    connector = h.target_connector
    if same_collection(mapping) or not connector.since_param or not h.supports(STATE_SEED):
        return  # without a changed-since listing every pass lists every record
    keys = {k.source: key_value(mapping, n, 6) for n, k in enumerate(mapping.merge_keys)}
    source_id = new_source(h, mapping, {**sample_values(mapping), **keys})
    target_id, fake = h.target.create({}), h.target.fake
    long_ago = fake.clock.now - 30 * 86400
    fake.store.replace(h.target.entity, target_id,
                       fake.stamped(h.target.entity, copy.deepcopy(h.target.get(target_id)), long_ago, False), long_ago)
    h.link(source_id, target_id)
    mark = len(h.target.requests)
    report = h.run_pass()
    assert not report.errors, f"a link given by hand to a {mapping.target_entity} no pass listed: {report.errors}"
    read_it = [r for r in h.target.requests[mark:] if not r.is_write and target_id in re.split(r"[/()']", r.path)]
    assert read_it, (f"{mapping.target_system} {mapping.target_entity} {target_id}, linked by hand and never listed, "
                     "was never read before the pass wrote to it: an edit there would be overwritten unseen")
    for index, row in _editable_rows(mapping):
        expected = held(mapping, row, read(h.source.get(source_id), row.source))
        if expected is not None and not holds(read(h.target.get(target_id), row.target), expected):
            raise fail(row_mismatch(row, expected, read(h.target.get(target_id), row.target), mapping.target_system,
                                    typed=False, prefix=f"linked by hand to a {mapping.target_entity} no pass listed"))


def _linked_to_a_source_not_held(h, mapping: EntityMapping) -> None:
    """A link given by other means (a links file from elsewhere) naming a source record its system does not hold
    (deleted since): the pass goes on, writes nothing for it, and nothing is left waiting for another look at it.
    Beside it, where the target's ids are text, a record whose id is digits only: listed like any other."""
    if same_collection(mapping) or not h.supports(STATE_SEED):
        return
    h.link("qa-not-held-1", h.target.create({}))
    ids = [h.target_connector.record_id(r) for r in h.target.records()]
    if ids and not any(rid.isdigit() for rid in ids):  # an API whose ids are text may hold one of digits only
        h.target.create({h.target_connector.id_field: "4242"})
    writes = _writes(h)
    report = h.run_pass()
    assert not report.errors and _writes(h) == writes, (
        f"a link naming a {mapping.source_entity} {mapping.source_system} does not hold: the pass must go on "
        f"and write nothing for it: {report.errors}, {_writes(h) - writes} writes")
    if INTERNAL in h.sut.capabilities:  # the reference engine's own bookkeeping, no promise of any other SUT's
        assert not h.state.to_revisit(mapping.id), (
            f"{sorted(h.state.to_revisit(mapping.id))} wait for another look, though their system holds no such "
            f"{mapping.source_entity}")
