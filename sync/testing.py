"""Pytest plugin: stateful fake APIs and a sync harness as fixtures.

Registered as the `sync_fakes` pytest11 entry point, so it loads in any pytest run:

* ``--api-faults=RATE``: every harness's fakes answer that share of requests with 429
  (Retry-After), 500/503 or a timeout (including a write applied whose response is lost).
* ``sync_harness``: a factory, ``make(mapping, *, conditions=None) -> Harness``. It is
  session-scoped so hypothesis accepts it inside ``@given`` tests; the harnesses a test makes
  are closed when that test ends (by an autouse fixture).
"""
from __future__ import annotations

from typing import Callable, Iterator

import pytest

from generator.model import EntityMapping

from .harness import EntityHandle, Harness
from .report import Conflict, EntityError, PassReport

__all__ = ["Harness", "EntityHandle", "PassReport", "Conflict", "EntityError", "HarnessFactory"]

_made: list[Harness] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sync_fakes", "sync engine fake APIs")
    group.addoption("--api-faults", action="store", type=float, default=0.0, metavar="RATE",
                    help="share of fake API requests answered with 429/500/503/timeouts (default 0.0)")


class HarnessFactory:
    """Makes a fresh, isolated Harness per call; reusable any number of times within a test."""

    def __init__(self, fault_rate: float):
        self.fault_rate = fault_rate

    def __call__(self, mapping: EntityMapping, *, conditions: dict[str, Callable[[dict], bool]] | None = None) -> Harness:
        harness = Harness(mapping, conditions=conditions, fault_rate=self.fault_rate)
        _made.append(harness)
        return harness


@pytest.fixture(scope="session")
def sync_harness(request: pytest.FixtureRequest) -> HarnessFactory:
    """A factory: ``make(mapping, *, conditions=None) -> Harness`` (fresh fakes and state each call)."""
    return HarnessFactory(float(request.config.getoption("--api-faults", default=0.0) or 0.0))


@pytest.fixture(autouse=True)
def _sync_harness_cleanup() -> Iterator[None]:
    yield
    while _made:
        _made.pop().close()
