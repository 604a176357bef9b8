"""Pytest plugin: stateful fake APIs and a sync harness as fixtures.

Registered as the `sync_fakes` pytest11 entry point, so it loads in any pytest run:

* ``--api-faults=RATE``: every harness's fakes answer that share of requests with 429
  (Retry-After), 500/503 or a timeout (including a write applied whose response is lost).
* ``--transport=mock|http``: the engine reaches the fakes through `responses` in the process (mock), or
  over real sockets to a loopback server serving them (http: `sync/fakes/loopback.py`).
* ``--vocabulary=PATH`` (repeatable) and the ini option ``sync_vocabulary`` (paths relative to
  the rootdir): TOML files extending the shipped vocabulary of concepts and section conditions
  (`generator/vocabulary.toml`); every harness's engine reads conditions with it.
* ``--sut=COMMAND`` / ``--sut-server=COMMAND``: the checks drive another system under test instead of
  this engine: a command run once per pass, or a service started once that speaks the JSON-lines
  protocol (docs/sut-protocol.md); the fakes are then served on loopback. A check needing what the
  SUT does not offer is skipped as "not verifiable against this system", naming what it lacks.
* ``sync_harness``: a factory, ``make(mapping, *, conditions=None, fault_rate=None, seed=None) -> Harness``. It is
  session-scoped so hypothesis accepts it inside ``@given`` tests; the harnesses a test makes
  are closed when that test ends (by an autouse fixture).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from generator.model import EntityMapping
from generator.vocabulary import Vocabulary, VocabularyError

from .harness import TRANSPORTS, EntityHandle, Harness
from .report import Conflict, EntityError, PassReport
from .repro import KEEP, start_bundles, write_bundles
from .sut.base import SutError, SystemUnderTest
from .sut.command import CommandSut
from .sut.engine import EngineSut
from .sut.protocol import ProtocolSut

__all__ = ["Harness", "EntityHandle", "PassReport", "Conflict", "EntityError", "HarnessFactory"]

_made: list[Harness] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sync_fakes", "sync engine fake APIs")
    group.addoption("--api-faults", action="store", type=float, default=0.0, metavar="RATE",
                    help="share of fake API requests answered with 429/500/503/timeouts (default 0.0)")
    group.addoption("--transport", choices=TRANSPORTS, default="mock",
                    help="how the engine reaches the fakes: handed over in the process by `responses` (mock, the "
                         "default) or over real sockets to a loopback server (http)")
    group.addoption("--vocabulary", action="append", default=[], metavar="PATH",
                    help="a TOML file extending the shipped vocabulary of concepts and conditions (repeatable)")
    group.addoption("--sut", metavar="COMMAND", default=None,
                    help="check this sync implementation instead of the engine: a command run once per pass, with "
                         "placeholders {config} {mapping} {model} {state} {report} {links} (docs/sut-protocol.md)")
    group.addoption("--sut-server", metavar="COMMAND", default=None,
                    help="check the sync service this command starts, spoken to in JSON lines on its stdin/stdout "
                         "(docs/sut-protocol.md; `sync-run --serve-protocol` is the reference)")
    group.addoption("--repro-dir", metavar="DIR", default=None,
                    help="write a repro bundle for each failed test under DIR: each fake's records before each pass, "
                         "the scenario's config and model, the passes, and how to replay them (sync/repro.py)")
    parser.addini("sync_vocabulary", "TOML files extending the shipped vocabulary (relative to the rootdir)",
                  type="paths", default=[])


def pytest_configure(config: pytest.Config) -> None:
    # Read here, before any test runs: a vocabulary that cannot be read is the run's usage error (file and
    # line), not an error in every test that asks for a harness, nor a report of failures replacing a good one.
    files = [Path(p) for p in config.getini("sync_vocabulary")] + [Path(p) for p in config.getoption("--vocabulary")]
    try:
        config.stash[_VOCABULARY] = Vocabulary.shipped().extended_by_files(files)
    except VocabularyError as error:
        raise pytest.UsageError(str(error)) from None
    distributing = bool(config.getoption("numprocesses", default=None)) and not hasattr(config, "workerinput")
    # The SUT is started where the tests run: in each xdist worker, never in the controller that only hands out tests.
    config.stash[_SUT] = None if distributing else _system_under_test(config)
    folder = config.getoption("--repro-dir", default=None)
    # Once per run: not in each xdist worker, nor in each process of `qa-checklist --workers` (which empties it).
    if folder and not hasattr(config, "workerinput") and not config.getoption("qa_queue", default=None):
        start_bundles(Path(folder))


def _system_under_test(config: pytest.Config) -> SystemUnderTest | None:
    """The SUT `--sut` or `--sut-server` names (started now: a service that will not start is the run's usage
    error), or None for the engine in this process."""
    command, server = config.getoption("--sut", default=None), config.getoption("--sut-server", default=None)
    if command and server:
        raise pytest.UsageError("--sut and --sut-server each name the system under test: give one")
    if not (command or server):
        return None
    try:
        sut = (CommandSut if command else ProtocolSut)(command or server)
    except SutError as error:
        raise pytest.UsageError(str(error)) from None
    config.add_cleanup(sut.close)
    return sut


def system_under_test(config: pytest.Config) -> dict:
    """What the report says of the run's SUT: its name, adapter, capabilities and how it reached the fakes."""
    sut = config.stash.get(_SUT, None)
    transport = "http" if sut is not None else config.getoption("--transport", default="mock")
    return {**(sut or EngineSut()).describe(), "transport": transport}


_VOCABULARY = pytest.StashKey[Vocabulary]()
_SUT = pytest.StashKey["SystemUnderTest | None"]()


class HarnessFactory:
    """Makes a fresh, isolated Harness per call; reusable any number of times within a test."""

    def __init__(self, fault_rate: float, vocabulary: Vocabulary | None = None, transport: str = "mock",
                 sut: SystemUnderTest | None = None, keep_passes: bool = False):
        self.keep_passes = keep_passes
        self.fault_rate = fault_rate
        self.vocabulary = vocabulary or Vocabulary.shipped()
        self.transport = transport
        self.sut = sut

    def __repr__(self) -> str:  # hypothesis prints it in a falsifying example
        return f"sync_harness(api_faults={self.fault_rate}, transport={self.transport!r})"

    def __call__(self, mapping: EntityMapping, *, conditions: dict[str, Callable[[dict], bool]] | None = None,
                 fault_rate: float | None = None, seed: int | None = None, faults_expected: bool = False) -> Harness:
        """A harness; `fault_rate` and `seed` override the run's --api-faults for this one; `faults_expected`:
        the check will script faults into its fakes (over sockets, a read then gives up sooner)."""
        harness = Harness(mapping, conditions=conditions, vocabulary=self.vocabulary, transport=self.transport,
                          fault_rate=self.fault_rate if fault_rate is None else fault_rate, seed=seed, sut=self.sut,
                          faults_expected=faults_expected)
        harness.keep_passes = self.keep_passes
        _made.append(harness)
        if len(_made) > KEEP:  # a bundle shows the last harnesses (a failing example's): not every example's
            _made[-KEEP - 1].passes.clear()
        return harness


@pytest.fixture(scope="session")
def sync_harness(request: pytest.FixtureRequest) -> HarnessFactory:
    """A factory: ``make(mapping, *, conditions=None) -> Harness`` (fresh fakes and state each call)."""
    config = request.config
    return HarnessFactory(float(config.getoption("--api-faults", default=0.0) or 0.0), config.stash[_VOCABULARY],
                          config.getoption("--transport", default="mock"), config.stash.get(_SUT, None),
                          keep_passes=bool(config.getoption("--repro-dir", default=None)))


def harnesses_of_this_test() -> tuple[Harness, ...]:
    """The harnesses the running test has made so far, oldest first (for a failure's report)."""
    return tuple(_made)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A test that passed with clauses its SUT could not support is not verified: it is skipped, naming them."""
    outcome = yield
    report = outcome.get_result()
    folder = item.config.getoption("--repro-dir", default=None)
    if call.when == "call" and report.failed and folder:
        written = write_bundles(Path(folder), item.nodeid, _made[-KEEP:], system_under_test(item.config)["name"])
        if written is not None:
            report.sections.append(("repro bundle", f"replay it by hand: {written}/*/README.md"))
            report.user_properties.append(("repro", str(written)))
    lacking = list(dict.fromkeys(reason for h in _made for reason in h.unverified))
    if call.when == "call" and report.passed and lacking:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, "Skipped: " + "; ".join(lacking))


@pytest.fixture(autouse=True)
def _sync_harness_cleanup() -> Iterator[None]:
    yield
    while _made:
        _made.pop().close()
