"""The reference SUT: this project's engine, in the checks' process, with every capability."""
from __future__ import annotations

from typing import Any, Callable

from generator.model import EntityMapping

from ..engine import SyncEngine
from ..names import association_key, system_key
from ..report import PassReport
from ..state import StateStore
from .base import CAPABILITIES, Scenario, SystemUnderTest


class EngineScenario(Scenario):
    """An engine per mapping over the harness's connectors, sharing one state store (as one deployment)."""

    def __init__(self, harness: Any, conditions: dict[str, Callable[[dict], bool]] | None, state_path: str):
        self.harness = harness
        self.state = StateStore(state_path)
        self._engines: dict[str, SyncEngine] = {}
        self.engine = self._engine(harness.mapping, conditions)  # built now: a mapping it refuses fails here

    def _engine(self, mapping: EntityMapping, conditions: dict | None = None) -> SyncEngine:
        engine = self._engines.get(mapping.id)
        if engine is None:
            h = self.harness
            forward = (mapping.source_system, mapping.source_entity) == (h.mapping.source_system,
                                                                          h.mapping.source_entity)
            source, target = ((h.source_connector, h.target_connector) if forward
                              else (h.target_connector, h.source_connector))
            engine = self._engines[mapping.id] = SyncEngine(mapping, source, target, self.state, conditions,
                                                            h.vocabulary)
        return engine

    def run_pass(self, mapping: EntityMapping) -> PassReport:
        return self._engine(mapping).run_pass()

    def links(self, mapping: EntityMapping) -> list[tuple[str, str]]:
        return sorted((s, t) for s, (t, _) in self.state.links(mapping.id).items())

    def seed_link(self, mapping: EntityMapping, source_id: str, target_id: str) -> None:
        with self.state.transaction():
            self.state.link(mapping.id, source_id, target_id, "manual")

    def seed_synchronized(self, system: str, entity: str, record_id: str, from_system: str) -> None:
        with self.state.transaction():
            self.state.mark_synchronized(system_key(system), association_key(entity, from_system), record_id)

    def close(self) -> None:
        self.state.close()


class EngineSut(SystemUnderTest):
    name = "sync engine (in process)"
    capabilities = frozenset(CAPABILITIES)

    def scenario(self, harness: Any, conditions: dict | None = None, state_path: str = ":memory:") -> EngineScenario:
        return EngineScenario(harness, conditions, state_path)
