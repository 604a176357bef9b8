"""The sync engine: one pass of one EntityMapping between a source and a target connector.

A pass (1) finishes creates whose link was never committed, (2) lists what changed on each
side since its cursor, (3) for each source entity that changed, waits for another look, or
whose linked target changed, does what the mapping says: synchronize a linked pair, link by
merge keys, create, or skip, and (4) saves the cursors. Deletes are never propagated, and a
failed listing stops the pass rather than looking like an empty system.

A create is recorded as an intent before it is sent. Where the target's API takes an
idempotency key, an unfinished create is sent again with its key, and the API answers with
the record it made, if it made one. Where it takes none, a create that failed after it was
sent (a 5xx, a lost answer) may or may not have been made: the engine looks for it, a record
new since its last look that nothing is linked to and that holds every field the create sent,
and sends the create again only when there is none.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import replace
from functools import partial
from typing import Callable

import requests

from generator.model import EntityMapping
from generator.vocabulary import Vocabulary, resolve_rows

from .coercion import CoercionError
from .connectors.base import RestConnector
from .errors import ApiError, ConfigurationError, CreateOutcomeUnknown, ListFailed, StaleRecord
from .http import DeadlineExceeded
from .matching import MergeIndex
from .names import association_key, snake, system_key
from .paths import contains
from .predicates import Applied
from .reconcile import build_target, patch_for, plan_pair
from .report import PassReport, PassTally
from .state import StateStore

log = logging.getLogger("sync.engine")
Predicate = Callable[[dict], bool]
STALE_RETRIES = 3
CREATE_RESENDS = 6  # a create whose outcome stays unknown is looked for and sent again at most this often


def find_condition(mapping: EntityMapping, conditions: dict[str, Predicate] | None = None,
                   vocabulary: Vocabulary | None = None) -> Predicate | None:
    """A conditional mapping's predicate: one registered under its condition text (whitespace-insensitive),
    else the vocabulary's for its phrasing and source system; ConfigurationError when there is none."""
    if mapping.sync != "conditional":
        return None
    conditions = conditions or {}
    text = mapping.condition or ""
    predicate = conditions.get(text) or {" ".join(k.split()): v for k, v in conditions.items()}.get(" ".join(text.split()))
    if predicate is None:
        vocabulary = vocabulary or Vocabulary.shipped()
        found = vocabulary.predicate_for(text, mapping.source_system, mapping.source_entity)
        predicate = Applied(found) if found is not None else None
    if predicate is None:
        raise ConfigurationError(
            f"{mapping.file}:{mapping.line}: mapping {mapping.id!r} is synchronized only {text!r}, but no "
            f"predicate for that condition is known in {mapping.source_system}: add one to the vocabulary "
            "(a [[conditions]] entry with predicates for the system)"
        )
    return predicate


class SyncEngine:
    """Runs passes of one entity mapping; all memory lives in the StateStore."""

    def __init__(self, mapping: EntityMapping, source: RestConnector, target: RestConnector,
                 state: StateStore, conditions: dict[str, Predicate] | None = None,
                 vocabulary: Vocabulary | None = None):
        vocabulary = vocabulary or Vocabulary.shipped()
        rows, self.skipped_rows = resolve_rows(mapping, vocabulary)
        for row, reason in self.skipped_rows:
            log.warning("%s:%s: %s: the row %s -> %s is skipped: %s", row.file, row.line, mapping.id,
                        row.source, row.target, reason)
        # The engine runs the rows it can honour, each condition spelled as its system does.
        self.mapping = replace(mapping, properties=rows)
        self.source, self.target, self.state = source, target, state
        # Both connectors' redactors as they are when a text is written: one may learn a secret mid-pass.
        self._redact = lambda text: target.redactor(source.redactor(text))
        self.condition = find_condition(mapping, conditions, vocabulary)
        rule = mapping.create_when_connected
        self.via_keys = tuple(association_key(v, mapping.source_system) for v in rule.via) if rule else ()
        self.into = system_key(rule.into) if rule else ""
        self._tell_what_is_read()
        self._source_key = (system_key(mapping.source_system), snake(mapping.source_entity))
        self._target_key = (system_key(mapping.target_system), snake(mapping.target_entity))

    def _tell_what_is_read(self) -> None:
        """Tells each connector the paths its side is read at (an API may return only the fields asked for)."""
        m = self.mapping
        conditions = [(clause.side, clause.path) for row in m.properties if row.when
                      for clause in (row.when, *row.when.others)]
        self.source.wants([*(r.source for r in m.properties), *(k.source for k in m.merge_keys),
                           *(path for side, path in conditions if side == "source"),
                           *(f"associations.{key}" for key in self.via_keys),
                           *((self.condition.field,) if isinstance(getattr(self.condition, "field", None), str) else ())])
        self.target.wants([*(r.target for r in m.properties), *(k.target for k in m.merge_keys),
                           *(path for side, path in conditions if side == "target")])

    def _source_type(self, path: str) -> str | None:
        return self.source.field_type(self.mapping.source_entity, path)

    def _target_type(self, path: str) -> str | None:
        return self.target.field_type(self.mapping.target_entity, path)

    def _target_shape(self, path: str) -> str | None:
        return self.target.container_type(self.mapping.target_entity, path)

    def __repr__(self) -> str:
        return f"SyncEngine({self.mapping.id!r}, {self.source!r} -> {self.target!r})"

    # the pass
    def run_pass(self) -> PassReport:
        """Reads what changed on both sides and does what the mapping says; returns what it did."""
        m = self.mapping.id
        tally = PassTally(m, self._redact)
        before = self._calls()
        self._since = {side: self.state.cursor(m, side) for side in ("source", "target")}
        try:
            unfinished = self._finish_intents(tally)
            changed_sources, source_cursor = self._read("source", self.source, self.mapping.source_entity)
            changed_targets, target_cursor = self._read("target", self.target, self.mapping.target_entity)
        except ListFailed as exc:
            self._report_anomalies(tally)
            tally.error("", str(exc), side="list")
            return tally.freeze(self._calls_since(before))
        self._report_anomalies(tally)
        self._seen_s, self._seen_t = self.state.seen(m, "source"), self.state.seen(m, "target")
        self._synced_s, self._synced_t = self.state.synced(m, "source"), self.state.synced(m, "target")
        self._links = {sid: tid for sid, (tid, _origin) in self.state.links(m).items()}
        self._build_indexes()
        for sid in self._candidates(changed_sources, changed_targets, unfinished):
            self._handle_source(sid, tally)
        with self.state.transaction():
            self.state.set_cursor(m, "source", source_cursor)
            self.state.set_cursor(m, "target", target_cursor)
        return tally.freeze(self._calls_since(before))

    def _report_anomalies(self, tally: PassTally) -> None:
        """Records a listing kept but could not take a cursor from (a change time in the future): reported."""
        for side, connector in (("source", self.source), ("target", self.target)):
            for rid, problem in connector.take_anomalies() if hasattr(connector, "take_anomalies") else ():
                tally.error(rid, problem, side=side)

    def _read(self, side: str, connector: RestConnector, entity: str) -> tuple[list[str], object]:
        records, new_cursor = connector.list_records(entity, self._since[side])
        by_id = {connector.record_id(r): r for r in records if connector.record_id(r)}
        self.state.remember_seen(self.mapping.id, side, by_id)
        return list(by_id), new_cursor

    def _candidates(self, changed_sources: list[str], changed_targets: list[str], unfinished: set[str]) -> list[str]:
        ordered = dict.fromkeys(changed_sources)
        ordered.update(dict.fromkeys(sorted(self.state.to_revisit(self.mapping.id))))
        if self.mapping.bidirectional:
            by_target: dict[str, list[str]] = {}
            for sid, tid in self._links.items():
                by_target.setdefault(tid, []).append(sid)
            for tid in changed_targets:
                ordered.update(dict.fromkeys(by_target.get(tid, ())))
        ordered.update(dict.fromkeys(s for s in self._links if s not in self._synced_s))
        excluded = self.state.created_from(*self._source_key, origin_system=self._target_key[0])
        # A create whose replay failed may already exist on the target: only its replay may finish it.
        excluded |= unfinished
        return [sid for sid in ordered if sid not in excluded]

    def _build_indexes(self) -> None:
        keys = self.mapping.merge_keys
        self._target_index = MergeIndex(k.target for k in keys)
        for tid in sorted(self._seen_t, key=_id_order):
            self._target_index.add(tid, self._seen_t[tid])
        # Source entities already linked, indexed by their own values: a newcomer sharing one is the same entity.
        self._source_index = MergeIndex(k.source for k in keys)
        for sid, tid in sorted(self._links.items()):
            if sid in self._seen_s:
                self._source_index.add(sid, self._seen_s[sid], owner=tid)

    # one source entity
    def _handle_source(self, sid: str, tally: PassTally) -> None:
        record = self._seen_s.get(sid)
        if record is None:
            self.state.revisit(self.mapping.id, sid, again=False)
            return
        if self.condition is not None and not self.condition(record):
            tally.count("skipped")
            return
        try:
            if sid in self._links:
                self._synchronize(sid, self._links[sid], tally)
            elif not self._link_by_merge_keys(sid, record, tally):
                if self._may_create(record):
                    self._create(sid, record, tally)
                else:
                    tally.count("skipped")
                    self.state.revisit(self.mapping.id, sid)
                    return
            self.state.revisit(self.mapping.id, sid, again=False)
        except (ApiError, CoercionError) as exc:
            tally.error(sid, _message(exc))
            self.state.revisit(self.mapping.id, sid)
        except DeadlineExceeded as exc:  # its message names the system, the entity and the deadline
            tally.error(sid, f"request failed: {exc}")
            self.state.revisit(self.mapping.id, sid)
        except requests.RequestException as exc:
            tally.error(sid, f"request failed: {type(exc).__name__}")
            self.state.revisit(self.mapping.id, sid)

    def _link_by_merge_keys(self, sid: str, record: dict, tally: PassTally) -> bool:
        keys = self.mapping.merge_keys
        if not keys:
            return False
        same_side = self._source_index.find(record, [k.source for k in keys])
        tid = same_side or self._target_index.find(record, [k.source for k in keys])
        if tid is None:
            return False
        shared = same_side is not None or tid in self._links.values()
        with self.state.transaction():
            self.state.link(self.mapping.id, sid, tid, "merged")
        self._links[sid] = tid
        self._source_index.add(sid, record, owner=tid)
        tally.count("merged" if shared else "linked")
        self._synchronize(sid, tid, tally)
        return True

    def _may_create(self, record: dict) -> bool:
        if self.mapping.create_when_connected is not None:
            return self._connected(record)
        return self.mapping.sync != "link_required"

    def _connected(self, record: dict) -> bool:
        """Whether the record is associated with a via entity synchronized into the rule's system."""
        associations = record.get("associations") or {}
        for key in self.via_keys:
            entry = associations.get(key) or {}
            results = entry.get("results", []) if isinstance(entry, dict) else entry
            for association in results or ():
                via_id = str(association.get("id") if isinstance(association, dict) else association)
                if self.state.is_synchronized(self.into, key, via_id):
                    return True
        return False

    def _create(self, sid: str, record: dict, tally: PassTally) -> None:
        # Keys in a canonical order: a replay sends the body as the state store keeps it (sorted), and an
        # API binds an idempotency key to the exact body it first received.
        body = json.loads(json.dumps(build_target(self.mapping, record, self.target.id_field, self.target.client_ids,
                                                  self._target_type, self._target_shape), sort_keys=True))
        key = uuid.uuid4().hex
        with self.state.transaction():  # the intent is on disk before the API hears of it
            self.state.record_intent(self.mapping.id, sid, key, body)
        try:
            created = self.target.create_record(self.mapping.target_entity, body, key)
        except CreateOutcomeUnknown as unknown:
            created = self._find_or_resend(body, unknown)
        tid = self._commit_created(sid, record, created)
        # What later entities of this pass match and merge with (a twin sharing a merge key joins this target).
        self._links[sid] = tid
        self._seen_t[tid] = self._synced_t[tid] = created
        self._target_index.add(tid, created)
        self._source_index.add(sid, record, owner=tid)
        tally.count("created")

    def _commit_created(self, sid: str, record: dict, created: dict) -> str:
        """Links the created target and remembers both sides, in one transaction with the intent's end."""
        tid = self.target.record_id(created)
        m = self.mapping.id
        with self.state.transaction():
            self.state.link(m, sid, tid, "created")
            self.state.mark_created(*self._target_key, tid, origin_system=self._source_key[0])
            self.state.remember_synced(m, "source", sid, record)
            self.state.remember_synced(m, "target", tid, created)
            self.state.clear_intent(m, sid)
        return tid

    def _find_or_resend(self, body: dict, unknown: CreateOutcomeUnknown) -> dict:
        """The record a create whose outcome is unknown made: found among the target's new records, else
        sent again (at most CREATE_RESENDS times); CreateOutcomeUnknown when it stays unknown."""
        for _ in range(CREATE_RESENDS):
            try:
                records, _cursor = self.target.list_records(self.mapping.target_entity, self._since["target"])
            except ListFailed as exc:
                raise CreateOutcomeUnknown(unknown.status, f"{_message(unknown)}; the create may have been made, "
                                           f"and could not be looked for ({exc})", unknown.code) from None
            made = self._made_by(body, records, known=self._seen_t)
            if made is not None:
                return made
            try:
                return self.target.create_record(self.mapping.target_entity, body)
            except CreateOutcomeUnknown as again:
                unknown = again
        raise CreateOutcomeUnknown(unknown.status, f"{_message(unknown)}; the create may have been made, and is "
                                   "looked for again before it is sent again", unknown.code)

    def _made_by(self, body: dict, records: list[dict], known: dict | set) -> dict | None:
        """The record a create of `body` made: the first listed that is new (not in `known`), linked to nothing
        and holds every field of `body`."""
        linked = set(self._links.values()) | set(self._links)
        return next((r for r in records if (rid := self.target.record_id(r)) and rid not in known
                     and rid not in linked and contains(r, body)), None)

    def _finish_intents(self, tally: PassTally) -> set[str]:
        """Finishes creates whose link was never committed: re-sent with their idempotency key, or, for an API
        that takes none, found among the target's new records; returns the source ids still unfinished."""
        intents = self.state.intents(self.mapping.id)
        if not intents:
            return set()
        source = self.state.seen(self.mapping.id, "source")  # as the unfinished create read it
        if self.target.idempotency_header is None:
            self._find_unkeyed(intents, source)
            return set()
        unfinished: set[str] = set()
        for sid, (key, body) in sorted(intents.items()):
            try:
                created = self.target.create_record(self.mapping.target_entity, body, key)
            except (ApiError, requests.RequestException) as exc:
                tally.error(sid, f"replaying an unfinished create: {_message(exc)}")
                unfinished.add(sid)
                continue
            self._finished(sid, source.get(sid, {}), created)
        return unfinished

    def _find_unkeyed(self, intents: dict[str, tuple[str, dict]], source: dict[str, dict]) -> None:
        """Links each unfinished create the API made to the record it made; one it did not make is left to the pass,
        which creates it afresh."""
        m = self.mapping.id
        self._links = {sid: tid for sid, (tid, _origin) in self.state.links(m).items()}
        known = set(self.state.seen(m, "target"))  # before this pass: what the engine had already seen
        records, _cursor = self.target.list_records(self.mapping.target_entity, self._since["target"])
        for sid, (_key, body) in sorted(intents.items()):
            created = self._made_by(body, records, known)
            if created is None:
                with self.state.transaction():
                    self.state.clear_intent(m, sid)
            else:
                self._links[sid] = self._finished(sid, source.get(sid, {}), created)

    def _finished(self, sid: str, source: dict, created: dict) -> str:
        tid = self._commit_created(sid, source, created)
        # The snapshot of the source predates this pass; let the pass re-check the pair.
        with self.state.transaction():
            self.state.revisit(self.mapping.id, sid)
        return tid

    # a linked pair
    def _synchronize(self, sid: str, tid: str, tally: PassTally) -> None:
        source = self._seen_s[sid]
        target = self._seen_t.get(tid)
        if target is None:
            target = self._refresh("target", tid)
        updated_before, refused_as_stale, decided = tally.counts["updated"], False, None
        for attempt in range(STALE_RETRIES + 1):
            plan = plan_pair(
                self.mapping, source, target, self._synced_s.get(sid), self._synced_t.get(tid),
                source_time=self.source.updated_at(source), target_time=self.target.updated_at(target),
                source_id=sid, target_id=tid, source_id_field=self.source.id_field,
                target_id_field=self.target.id_field, source_type=self._source_type, target_type=self._target_type,
            )
            decided = plan.conflicts if decided is None else decided
            try:
                if sid == tid and self._source_key == self._target_key:
                    # A record synchronized with itself: both sides' changes are one write to one record,
                    # and what was written is the snapshot of both sides (else a swap of two fields never settles).
                    new_target = new_source = self._write(self.target, self.mapping.target_entity, tid, target,
                                                          {**plan.source_changes, **plan.target_changes}, tally)
                    break
                new_target = self._write(self.target, self.mapping.target_entity, tid, target,
                                         plan.target_changes, tally)
                new_source = self._write(self.source, self.mapping.source_entity, sid, source,
                                         plan.source_changes, tally)
                break
            except StaleRecord:
                if attempt == STALE_RETRIES:
                    raise
                # Someone wrote since we read: read again rather than overwrite what we have not seen.
                target, source = self._refresh("target", tid), self._refresh("source", sid)
                refused_as_stale = True
        landed = refused_as_stale and tally.counts["updated"] == updated_before and self._synced_t.get(tid) != target
        if landed:
            # A write refused as stale that has nothing left to send: what it wanted is there, as when its first
            # try landed and only the answer was lost. The entity was brought up to date in this pass, and the
            # conflicts that write decided were decided in it (the re-read no longer shows them).
            tally.count("updated")
        tally.conflicts.extend(decided if landed and not plan.conflicts else plan.conflicts)
        if (new_source != self._synced_s.get(sid)) or (new_target != self._synced_t.get(tid)):
            with self.state.transaction():
                self.state.remember_synced(self.mapping.id, "source", sid, new_source)
                self.state.remember_synced(self.mapping.id, "target", tid, new_target)
            # Another source merged with this target may come later in the pass: it starts from what is there now.
            self._synced_t[tid] = self._seen_t[tid] = new_target

    def _write(self, connector: RestConnector, entity: str, rid: str, record: dict,
               changes: dict, tally: PassTally) -> dict:
        if not changes:
            return record
        _, patch = patch_for(record, changes, partial(connector.container_type, entity))
        if not patch:
            return record
        written = connector.update_record(entity, rid, patch, record, uuid.uuid4().hex)
        tally.count("updated")
        return written

    def _refresh(self, side: str, rid: str) -> dict:
        connector, entity = ((self.target, self.mapping.target_entity) if side == "target"
                             else (self.source, self.mapping.source_entity))
        record = connector.get_record(entity, rid)
        (self._seen_t if side == "target" else self._seen_s)[rid] = record
        self.state.remember_seen(self.mapping.id, side, {rid: record})
        return record

    # api calls
    def _connectors(self) -> list[RestConnector]:
        return [self.source] if self.source is self.target else [self.source, self.target]

    def _calls(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for connector in self._connectors():
            for kind, n in connector.calls.items():
                total[kind] = total.get(kind, 0) + n
        return total

    def _calls_since(self, before: dict[str, int]) -> dict[str, int]:
        now = self._calls()
        return {k: now[k] - before.get(k, 0) for k in sorted(now) if now[k] - before.get(k, 0)}


def _id_order(rid: str) -> tuple[int, int | str]:
    return (0, int(rid)) if rid.isdigit() else (1, rid)


def _message(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return exc.message if not exc.code else f"{exc.message} [{exc.code}]"
    return str(exc) or type(exc).__name__
