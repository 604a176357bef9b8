"""What the checks may ask of a system under test, and how it says it cannot.

A SUT is made once per run (`SystemUnderTest`) and opens a `Scenario` per harness: the fake APIs
of one check, their base URLs and credentials, and a state of the SUT's own that no other scenario
shares. Capabilities (the names are the protocol's, docs/sut-protocol.md):

* ``pass``: run one pass of a mapping (every SUT has it);
* ``report.json``: the pass's own account (counts, conflicts, per-record errors, API calls);
* ``links.read``: which source record the SUT holds linked to which target record;
* ``state.seed``: be told a link, or that a record is synchronized, as if an earlier run had made it;
* ``state.internal``: the reference engine's own state store (what waits for another look).

A check that needs one the SUT lacks gets `Unsupported`, which says which, so that its clause is
"not verifiable against this system", never a weaker pass.
"""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any
from unittest import SkipTest

if TYPE_CHECKING:
    from generator.model import EntityMapping

    from ..report import PassReport

PASS, REPORT, LINKS_READ, STATE_SEED, INTERNAL = "pass", "report.json", "links.read", "state.seed", "state.internal"
CAPABILITIES = (PASS, REPORT, LINKS_READ, STATE_SEED, INTERNAL)
# The JSON-lines protocol (docs/sut-protocol.md), as both its ends read it: the checks' adapter (`protocol.py`)
# and this engine's service (`sync/protocol_server.py`).
PROTOCOL = "sesam-talk-sut/1"
MAX_LINE = 16 << 20  # a pass report with every error of a large pass, not an endless line
OFFERED = (PASS, REPORT, LINKS_READ, STATE_SEED)  # what the protocol can carry (not the engine's internals)
# What a check is told a SUT without the capability lacks, in the report's words.
LACKS = {
    REPORT: "it gives no pass report",
    LINKS_READ: "it offers no link store to read",
    STATE_SEED: "it cannot be given a link or a synchronized record",
    INTERNAL: "it does not expose the reference engine's state store",
}


class Unsupported(SkipTest):
    """A check asked the SUT for a capability it lacks.

    A SkipTest: pytest reports the test skipped with this message (not verifiable), and hypothesis lets
    it through at once instead of taking it for a failing example to shrink."""

    def __init__(self, capability: str, sut: str):
        self.capability = capability
        super().__init__(f"not verifiable against this system ({sut}): {LACKS.get(capability, capability)}")


class SutError(Exception):
    """The SUT could not be started or broke its protocol (not a finding about a document)."""


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text a SUT sent, as one line a terminal and a report show as it is (control characters escaped)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def shown(value: Any, limit: int = 200) -> str:
    """A value a SUT sent, quoted for a message, never longer than `limit`."""
    text = one_line(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link_pairs(value: Any) -> list[tuple[str, str]] | None:
    """A list of links as the protocol writes them (`[["<source id>", "<target id>"], ...]`), or None when
    `value` is not one."""
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        return None
    return [(str(source), str(target)) for source, target in value]


def sut_environment() -> dict[str, str]:
    """The environment a SUT process starts with: this one's, without `SYNC_*` variables, which may hold real
    credentials (sync-run reads them) that must never reach a loopback fake or a SUT's output."""
    return {name: value for name, value in os.environ.items() if not name.startswith("SYNC_")}


class Scenario:
    """One harness's view of the SUT: passes of its mappings over the harness's fakes, and links."""

    def run_pass(self, mapping: "EntityMapping") -> "PassReport | None":
        """One pass of `mapping`; its report, or None when the SUT gives none."""
        raise NotImplementedError

    def links(self, mapping: "EntityMapping") -> list[tuple[str, str]]:
        raise NotImplementedError

    def seed_link(self, mapping: "EntityMapping", source_id: str, target_id: str) -> None:
        raise NotImplementedError

    def seed_synchronized(self, system: str, entity: str, record_id: str, from_system: str) -> None:
        """`record_id` of `entity` (as `from_system` names it) is synchronized into `system`."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class SystemUnderTest:
    """A sync implementation the checks drive: its name, its capabilities, a scenario per harness."""

    name = "sut"
    capabilities: frozenset[str] = frozenset({PASS})
    # Over sockets, the read timeout where the fakes inject faults (sync/fakes/loopback.py), or None for the
    # harness's own: a SUT whose passes compete harder with the fakes for the CPU may need a longer one.
    faults_read_timeout: float | None = None

    def scenario(self, harness: Any, conditions: dict | None = None, state_path: str = ":memory:") -> Scenario:
        """The harness's scenario; `conditions` (predicates as Python callables) and `state_path` are the
        in-process engine's alone: another SUT given conditions is Unsupported (it cannot run Python)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """What the report says of the SUT a run had."""
        return {"name": self.name, "capabilities": sorted(self.capabilities)}

    def close(self) -> None:
        pass
