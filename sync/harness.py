"""A sync harness: one mapping, fresh fake APIs for both sides, a state store and an engine.

Each Harness is isolated (its own hosts, SQLite databases and logical clock) and cheap to
make, so a test, or every hypothesis example in it, can make as many as it likes.
"""
from __future__ import annotations

import itertools
import secrets
from urllib.parse import urlsplit
from typing import Any, Callable

import requests

from generator.model import EntityMapping
from generator.vocabulary import Vocabulary

from .connectors.base import RestConnector
from apis.description import describe

from .connectors.registry import connector_for
from .credentials import Credentials, Secret
from .fakes.base import FakeApi, Route
from .fakes.faults import FaultPlan
from .fakes.log import LoggedRequest
from .fakes.loopback import FAULTS_READ_TIMEOUT, LOOPBACK, READ_TIMEOUT
from .fakes.registry import fake_for, test_base_url
from .fakes.router import ROUTER
from .fakes.store import LogicalClock, WallClock
from .http import build_session
from .names import association_key, system_key
from .report import PassReport
from .sut.base import INTERNAL, LINKS_READ, REPORT, STATE_SEED, SystemUnderTest, Unsupported
from .sut.engine import EngineScenario, EngineSut
from .sut.observed import ObservedPass

_numbers = itertools.count(1)


class EntityHandle:
    """One entity of one fake API, as a test sees it: edit by hand, inspect what the API holds and got."""

    def __init__(self, fake: FakeApi, entity: str):
        self.fake, self.entity = fake, entity

    def __repr__(self) -> str:
        return f"EntityHandle({self.fake.system!r}, {self.entity!r})"

    def create(self, record: dict) -> str:
        """Creates a record by hand, as a user of the system would; returns its id."""
        return self.fake.hand_create(self.entity, record)

    def edit(self, id: str, changes: dict) -> None:
        """Edits a record by hand (nested dicts deep-merge); bumps its updated-at."""
        self.fake.hand_edit(self.entity, str(id), changes)

    def get(self, id: str) -> dict:
        """The record as the fake API holds it (KeyError if it has none)."""
        record = self.fake.store.get(self.entity, str(id))
        if record is None:
            raise KeyError(f"{self.fake.system} {self.entity} has no record {id!r}")
        return record

    def records(self) -> list[dict]:
        return self.fake.store.all(self.entity)

    @property
    def requests(self) -> list[LoggedRequest]:
        return [r for r in self.fake.log if r.entity == self.entity]

    @property
    def writes(self) -> int:
        return sum(1 for r in self.requests if r.is_write)

    @property
    def reads(self) -> int:
        return sum(1 for r in self.requests if not r.is_write)

    def fields_beside(self, id: str, path: str, taken: set[str]) -> list[str]:
        """Paths the API takes, outside `taken`, that a write of `path` on record `id` could lose."""
        return self.fake.fields_beside(self.entity, str(id), path, taken)

    def before_next_write(self, action: Callable[[], None]) -> None:
        """Runs `action` when the API receives its next write, before applying it."""
        self.fake.before_next_write(action)

    def after_next_read(self, action: Callable[[], None]) -> None:
        """Runs `action` right after the API has answered the next read of this entity."""
        self.fake.after_next_read(self.entity, action)


# How the engine reaches the fakes: handed over by `responses` in the test process ("mock"), or over
# real sockets to a loopback server ("http"), so a socket-level bug cannot hide behind the mock.
TRANSPORTS = ("mock", "http")


class Harness:
    """A mapping wired to fake APIs: `source`, `target`, `run_pass()`, links and associations."""

    def __init__(self, mapping: EntityMapping, *, conditions: dict[str, Callable[[dict], bool]] | None = None,
                 fault_rate: float = 0.0, seed: int | None = None, state_path: str = ":memory:",
                 vocabulary: Vocabulary | None = None, transport: str = "mock", sut: SystemUnderTest | None = None,
                 faults_expected: bool = False):
        if transport not in TRANSPORTS:
            raise ValueError(f"transport {transport!r}: one of {', '.join(TRANSPORTS)}")
        self.sut = sut or EngineSut()
        self.unverified: list[str] = []  # clauses the SUT could not support (`supports`)
        self.keep_passes = False  # True: each pass's starting point is kept for a repro bundle (sync/repro.py)
        self.passes: list[dict] = []
        self._seeds: list[dict] = []  # links and synchronized records given since the last pass
        if not isinstance(self.sut, EngineSut):
            transport = "http"  # another process reaches the fakes only over sockets
        self.mapping = mapping
        self.transport = transport
        # Over sockets, the read timeout the SUT is given (test mode): short where the fakes inject faults
        # (`fault_rate`, or a check that scripts them: `faults_expected`), so that each injected one costs little.
        faulty = self.sut.faults_read_timeout or FAULTS_READ_TIMEOUT
        self.read_timeout = faulty if fault_rate > 0 or faults_expected else READ_TIMEOUT
        self.vocabulary = vocabulary or Vocabulary.shipped()
        self.number = next(_numbers)
        self.clock = LogicalClock() if isinstance(self.sut, EngineSut) else WallClock()
        self.faults = FaultPlan(fault_rate, self.number if seed is None else seed)
        self.sleeps: list[float] = []  # backoff the engine asked for; tests never really sleep
        self._fakes: dict[str, FakeApi] = {}
        self._http: requests.Session | None = None
        self._closed = False
        source_fake = self._fake_for(mapping.source_system)
        target_fake = self._fake_for(mapping.target_system)
        self.source_connector = self._connector(mapping.source_system, mapping.source_entity, source_fake)
        self.target_connector = self._connector(mapping.target_system, mapping.target_entity, target_fake)
        # The fields each side's writes may hold: the paths the mapping writes there (typed on the target).
        source_fields = {**{k.source: None for k in mapping.merge_keys}, **{r.source: None for r in mapping.properties}}
        target_fields = {**{k.target: None for k in mapping.merge_keys}, **{r.target: r.type for r in mapping.properties}}
        for row in mapping.properties:  # a row's condition path is written too (a list item's discriminator)
            for clause in ((row.when, *row.when.others) if row.when else ()):
                (source_fields if clause.side == "source" else target_fields).setdefault(clause.path, None)
        self._serve(source_fake, self.source_connector, mapping.source_entity, _untype_parents(source_fields))
        self._serve(target_fake, self.target_connector, mapping.target_entity, _untype_parents(target_fields))
        self.source = EntityHandle(source_fake, mapping.source_entity)
        self.target = EntityHandle(target_fake, mapping.target_entity)
        try:
            self.scenario = self.sut.scenario(self, conditions, state_path)
        except Exception:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"Harness({self.mapping.id!r}, #{self.number})"

    def __enter__(self) -> "Harness":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # wiring
    def _fake_for(self, system: str) -> FakeApi:
        key = system_key(system)
        if key in self._fakes:
            return self._fakes[key]
        token = "sk_test_" + secrets.token_hex(8)
        address = test_base_url(system, self.number)
        if self.transport == "http":  # the same fake over a real socket: its host becomes a path prefix
            parts = urlsplit(address)
            address = LOOPBACK.base_url(parts.hostname.removesuffix(".fake.test"), parts.path)
        fake = fake_for(system, address, self.clock, token, self.faults)
        fake.secret = Secret(token)  # type: ignore[attr-defined]
        if self.transport == "http":
            LOOPBACK.add(fake)
        else:
            ROUTER.add(fake)
        self._fakes[key] = fake
        return fake

    def _connector(self, system: str, entity: str, fake: FakeApi) -> RestConnector:
        secret: Secret = fake.secret  # type: ignore[attr-defined]
        auth = describe(system).auth
        # The further secrets its auth names (a subscription key, a session's tokens), as the fake made them;
        # where a session makes the password, none is given: each connector asks for one first, as sync-run's do.
        named = tuple((name, Secret(value)) for name, value in getattr(fake, "named_secrets", {}).items())
        password = Secret("") if auth.session is not None else secret
        creds = (Credentials("basic", user=Secret(auth.user), password=password, named=named)
                 if auth.style == "basic" and auth.user
                 else Credentials("basic", user=secret, named=named) if auth.style == "basic"
                 else Credentials("bearer", token=password, named=named) if auth.style == "bearer"
                 else Credentials(named=named))
        connector = connector_for(system, entity=entity, base_url=fake.base_url, credentials=creds,
                                  session=self._session())
        if self.transport == "http":  # the test-mode knob: a held connection gives up in a moment, not 30 s
            connector.timeout = (connector.timeout[0], self.read_timeout)
        return connector

    def _session(self) -> requests.Session:
        """The HTTP session both connectors share, with one retry policy and one record of sleeps
        (a session costs about a twentieth of a pass to make, and a suite makes tens of thousands)."""
        if self._http is None:
            self._http = build_session(backoff_factor=0, sleep=self.sleeps.append)
            # No proxy or .netrc stands between the engine and a fake: reading them from the environment
            # on every request was a large part of what each request cost.
            self._http.trust_env = False
            # Nor session-wide params or proxies: requests (2.33+) merges each request's with the session's
            # through a typing-Protocol isinstance check, slow before Python 3.12; None has nothing to merge.
            self._http.params = None  # type: ignore[assignment]
            self._http.proxies = None  # type: ignore[assignment]
        return self._http

    @staticmethod
    def _serve(fake: FakeApi, connector: RestConnector, entity: str, schema: dict[str, str]) -> None:
        endpoint = connector.endpoint(entity)
        fake.serve(Route(entity, endpoint.path, endpoint.object_key), schema)

    def fakes(self) -> list[FakeApi]:
        """The scenario's fake APIs (one when both sides live in one system)."""
        return list(self._fakes.values())

    # what only the reference engine has: its own state store and engine (tests of the engine itself)
    @property
    def state(self):
        return self._engine_scenario().state

    @property
    def engine(self):
        return self._engine_scenario().engine

    def _engine_scenario(self) -> EngineScenario:
        if not isinstance(self.scenario, EngineScenario):
            raise Unsupported(INTERNAL, self.sut.name)
        return self.scenario

    def needs(self, capability: str) -> None:
        """Unsupported unless the SUT has `capability` (docs/sut-protocol.md): what the check does next needs it."""
        if capability not in self.sut.capabilities:
            raise Unsupported(capability, self.sut.name)

    def supports(self, capability: str) -> bool:
        """Whether the SUT has `capability`, for one clause of a check; when it has not, the clause is noted
        (`unverified`) and the check goes on with the others: a test that then passes is reported not
        verifiable, naming what the SUT lacks, and one that fails still fails."""
        if capability in self.sut.capabilities:
            return True
        self.unverified.append(str(Unsupported(capability, self.sut.name)))
        return False

    def unsupported(self) -> str | None:
        """Why a pass of this mapping could not run against the real APIs (an operation one of them
        lacks, as its connector declares), or None."""
        m = self.mapping
        written = tuple(dict.fromkeys(r.target.split(".")[0] for r in m.properties))
        needs = [(self.source_connector, m.source_entity, "list", ()),
                 (self.target_connector, m.target_entity, "list", ())]
        if m.sync != "link_required" or m.create_when_connected:
            needs.append((self.target_connector, m.target_entity, "create", written))
        if m.properties:
            needs.append((self.target_connector, m.target_entity, "update", written))
        for connector, entity, operation, fields in needs:
            reason = connector.unsupported(entity, operation, fields)
            if reason:
                return reason
        written_paths = [(self.target_connector, m.target_system, m.target_entity, r.target) for r in m.properties]
        if m.bidirectional:
            written_paths += [(self.source_connector, m.source_system, m.source_entity, r.source) for r in m.properties]
        for connector, system, entity, path in written_paths:
            allowed = connector.allowed_values(entity, path)
            if allowed:
                # The checks draw free values: refused by the API, they would fail a fine document.
                return f"{system} takes only {', '.join(allowed)} for {path}, and the checks draw free values for it"
        return None

    # what a test does
    def run_pass(self) -> PassReport:
        """One pass of the SUT over both fake APIs: its report, or what the APIs saw when it gives none."""
        return self._pass(self.mapping)

    def reverse_pass(self, reverse: EntityMapping) -> PassReport:
        """One pass of another section between the same two collections the other way (the B -> A beside an
        A -> B, as the publisher's paired documents have), over the same fakes and the same SUT state."""
        if (reverse.source_system, reverse.source_entity, reverse.target_system, reverse.target_entity) != (
                self.mapping.target_system, self.mapping.target_entity, self.mapping.source_system,
                self.mapping.source_entity):
            raise ValueError(f"{reverse.id} does not run {self.mapping.id}'s collections the other way")
        return self._pass(reverse)

    def _pass(self, mapping: EntityMapping) -> PassReport:
        if self.keep_passes:
            state = self.scenario.state.snapshot() if isinstance(self.scenario, EngineScenario) else None
            self.passes.append({"mapping": mapping, "fakes": {f.system: f.snapshot() for f in self.fakes()},
                                "seeds": self._seeds, "state": state})
        self._seeds = []
        marks = [(fake, len(fake.log)) for fake in self.fakes()]
        report = self.scenario.run_pass(mapping)
        if report is None:  # what the fakes saw is all there is
            return ObservedPass(mapping.id, self.sut.name,
                                [(fake, r) for fake, mark in marks for r in fake.log[mark:]])  # type: ignore[return-value]
        return report

    def run_until_settled(self, max_passes: int = 10) -> list[PassReport]:
        """Passes until one writes nothing, as the fakes saw it, and reports no error (or `max_passes`), for
        fault runs. A SUT without a report is settled by its writes alone, and the check says so (`supports`)."""
        reports = []
        for _ in range(max_passes):
            marks = [(fake, len(fake.log)) for fake in self.fakes()]
            report = self.run_pass()
            reports.append(report)
            wrote = any(r.is_write and r.fault is None for fake, mark in marks for r in fake.log[mark:])
            if not wrote and (not self.supports(REPORT) or not report.errors):
                break
        return reports

    def link(self, source_id: str, target_id: str) -> None:
        """Establishes a link by other means, as the documents' "a link must be established" allows."""
        self.needs(STATE_SEED)
        self.scenario.seed_link(self.mapping, str(source_id), str(target_id))
        self._seeds.append({"link": [str(source_id), str(target_id)], "mapping": self.mapping.id})

    def links(self) -> list[tuple[str, str]]:
        """(source id, target id) of every link the SUT holds for the mapping, sorted."""
        self.needs(LINKS_READ)
        return self.scenario.links(self.mapping)

    def connect(self, source_id: str, via_entity: str, via_id: str) -> None:
        """Associates the source record with a via record, as a user of the source system would."""
        key = association_key(via_entity, self.mapping.source_system)
        self.source.fake.associate(self.mapping.source_entity, str(source_id), key, str(via_id))

    def mark_synchronized(self, via_entity: str, via_id: str) -> None:
        """Tells the SUT that a via record is synchronized into the creation rule's system."""
        self.needs(STATE_SEED)
        rule = self.mapping.create_when_connected
        into = rule.into if rule else self.mapping.target_system
        self.scenario.seed_synchronized(into, via_entity, str(via_id), self.mapping.source_system)
        self._seeds.append({"synchronized": {"system": into, "entity": via_entity,
                                             "from_system": self.mapping.source_system, "id": str(via_id)}})

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for fake in self._fakes.values():
            (LOOPBACK if self.transport == "http" else ROUTER).remove(fake)
            fake.close()
        if self._http is not None:
            self._http.close()
        if hasattr(self, "scenario"):
            self.scenario.close()


def _untype_parents(fields: dict[str, str | None]) -> dict[str, str | None]:
    """`fields` with no type on a path that another declared path runs under.

    A document that maps both `department` ("string") and `department.id` says the field is text
    and an object at once; the fake cannot know which its API holds, so it types neither.
    """
    return {path: None if any(other.startswith(path + ".") for other in fields) else data_type
            for path, data_type in fields.items()}
