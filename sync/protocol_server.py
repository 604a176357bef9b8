"""`sync-run --serve-protocol`: this engine as a long-running system under test (docs/sut-protocol.md).

The reference implementation of the protocol the checks speak to any sync service: JSON lines on
stdin, one answer line each on stdout, a hello first. A scenario is the state of one check (its own
state store, in memory) kept from its first request until `end`; each request carries the scenario's
config (sync-run's config format) and the model of its mapping, built into connectors and an engine
the first time they are seen. Nothing but protocol lines goes to stdout; errors are answered, redacted.
"""
from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from generator.vocabulary import Vocabulary

from . import config as configuration
from .engine import SyncEngine
from .modelio import mappings_from_json
from .names import association_key, system_key
from .report import report_json
from .state import StateStore
from .sut.base import MAX_LINE, OFFERED, PROTOCOL
from .wiring import configured_secrets, connectors

CAPABILITIES = list(OFFERED)  # this engine offers all the protocol carries


@dataclass
class _Scenario:
    state: StateStore = field(default_factory=StateStore)
    engines: dict[str, SyncEngine] = field(default_factory=dict)


class Server:
    def __init__(self) -> None:
        self.scenarios: dict[str, _Scenario] = {}

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        action = request.get("action")
        name = request.get("scenario")
        if not isinstance(name, str):
            raise ValueError("a request names its scenario (text)")
        if action == "end":
            scenario = self.scenarios.pop(name, None)
            if scenario is not None:
                scenario.state.close()
            return {}
        scenario = self.scenarios.setdefault(name, _Scenario())
        if action == "pass":
            return {"report": report_json(self._engine(scenario, request).run_pass())}
        if action == "links":
            mapping = self._mapping(request)
            return {"links": sorted([s, t] for s, (t, _) in scenario.state.links(mapping.id).items())}
        if action == "seed":
            params = request.get("params")
            if not isinstance(params, dict):
                raise ValueError("a seed request has params (an object)")
            with scenario.state.transaction():
                if request.get("state") == "link":
                    scenario.state.link(self._mapping(request).id, str(params["source"]), str(params["target"]),
                                        "manual")
                elif request.get("state") == "synchronized":
                    scenario.state.mark_synchronized(system_key(str(params["system"])),
                                                     association_key(str(params["entity"]), str(params["from_system"])),
                                                     str(params["id"]))
                else:
                    raise ValueError(f"no state {request.get('state')!r} to seed (link, synchronized)")
            return {}
        raise ValueError(f"no action {action!r} (pass, links, seed, end)")

    def redactor(self, request: dict[str, Any]):
        """Masks every credential the request's config and the environment hold, and the session tokens its
        scenario's connectors made."""
        config = request.get("config") if isinstance(request.get("config"), dict) else {}
        configured = configured_secrets(config)
        name = request.get("scenario")

        def redact(text: str) -> str:  # looked up when said: the request itself may have made the connectors
            scenario = self.scenarios.get(name) if isinstance(name, str) else None
            for engine in scenario.engines.values() if scenario else ():
                text = engine.source.redactor(engine.target.redactor(text))
            return configured(text)
        return redact

    @staticmethod
    def _mapping(request: dict[str, Any]):
        model = request.get("model")
        if not isinstance(model, dict):
            raise ValueError("the request has no model (an object)")
        for mapping in mappings_from_json(model):
            if mapping.id == request.get("mapping"):
                return mapping
        raise ValueError(f"the model has no mapping {request.get('mapping')!r}")

    def _engine(self, scenario: _Scenario, request: dict[str, Any]) -> SyncEngine:
        mapping = self._mapping(request)
        engine = scenario.engines.get(mapping.id)
        if engine is None:
            raw = request.get("config")
            if not isinstance(raw, dict):
                raise ValueError("the request has no config (an object)")
            checked, limits, _warnings = configuration.check(raw, "config", {})
            vocabulary = Vocabulary.shipped().extended(checked, "config")
            source, target = connectors(mapping, checked, limits)
            engine = scenario.engines[mapping.id] = SyncEngine(mapping, source, target, scenario.state,
                                                               vocabulary=vocabulary)
        return engine


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """Answers requests until stdin ends; 0."""
    logging.getLogger("sync.engine").addHandler(logging.NullHandler())  # nothing but protocol lines on stdout

    def send(answer: dict[str, Any]) -> None:
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()

    send({"protocol": PROTOCOL, "name": "sync-run --serve-protocol", "capabilities": CAPABILITIES})
    server = Server()
    while True:
        line = stdin.readline(MAX_LINE + 1)
        if not line:
            return 0
        number, redact = None, str
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is an object")
            number = request.get("id")
            redact = server.redactor(request)  # an API may echo a credential, or a session token it made
            send({"id": number, "ok": True, **server.handle(request)})
        except Exception as error:  # the service goes on: one broken scenario is that scenario's answer
            send({"id": number, "ok": False, "error": redact(f"{type(error).__name__}: {error}")})


def main() -> int:
    return serve(sys.stdin.buffer, sys.stdout.buffer)
