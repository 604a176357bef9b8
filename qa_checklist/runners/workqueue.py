"""`--qa-queue=PATH`: processes that collected the same suite share its modules, one claim at a time.

`qa-checklist --workers N` starts N pytest processes with one queue file. Each runs the next
module nobody has claimed, so the work balances itself as xdist's does, without xdist's controller:
a third process that, on a two-core machine, wakes about ten times a test and takes a tenth of the
run's CPU. A module is claimed whole, so its tests run in one process as under `--dist loadfile`.

The file holds the fingerprint of the collected modules, then the index of the next unclaimed
one, updated under an exclusive `flock`. A process whose collection differs from the first one's
stops before running anything: claims count positions in the list, so only identical lists can share.

The processes also share pytest's cache. Each would write its own view of the tests that failed
(`--lf`), the last writer's replacing the others'; under the same lock, each applies only what it
learnt to what the others wrote.
"""
from __future__ import annotations

import fcntl
import hashlib
import itertools
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, TextIO

import pytest


class QueueMismatch(Exception):
    """This process collected other modules than the queue's first process."""


@contextmanager
def locked(path: Path) -> Iterator[TextIO]:
    """The queue file, opened and held under an exclusive lock until the block ends."""
    with path.open("a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
        yield file


def progress_of(path: Path) -> tuple[int, int] | None:
    """(modules claimed, modules in all) of a queue as its workers left it, or None before the first claim."""
    try:
        lines = path.read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(lines) < 3 or not (lines[1].isdigit() and lines[2].isdigit()):
        return None
    return min(int(lines[1]), int(lines[2])), int(lines[2])


class ModuleQueue:
    def __init__(self, path: Path, modules: list[str]):
        self.path = path
        self.size = len(modules)
        self.fingerprint = hashlib.sha256("\n".join(modules).encode()).hexdigest()

    def claim(self) -> int | None:
        """The index of the next unclaimed module, now this process's; None when all are taken."""
        with locked(self.path) as file:
            file.seek(0)
            lines = file.read().split()
            if not lines:
                lines = [self.fingerprint, "0"]
            if lines[0] != self.fingerprint:
                raise QueueMismatch(f"{self.path}: another process of this queue collected other tests "
                                    "(run every worker with the same suite and arguments)")
            taken = int(lines[1])
            file.seek(0)
            file.truncate()
            file.write(f"{self.fingerprint}\n{taken + 1}\n{self.size}\n")  # the size: for the progress bar
        return taken if taken < self.size else None


def collected_modules(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The collected tests, module by module in collection order: what the queue hands out."""
    return [list(tests) for _, tests in itertools.groupby(items, key=lambda item: item.path)]


def module_queue(path: Path, modules: list[list[pytest.Item]]) -> ModuleQueue:
    """The queue at `path`, as a process that collected `modules` sees it."""
    return ModuleQueue(path, [str(tests[0].path) for tests in modules])


def run_claimed(session: pytest.Session, path: Path) -> None:
    """Runs the modules this process claims from the queue at `path`, until none are left."""
    modules = collected_modules(session.items)
    queue = module_queue(path, modules)
    try:
        current = queue.claim()
        while current is not None:
            # The next module is claimed before the last test of this one runs: pytest tears down
            # this module's fixtures knowing which test comes next.
            following = queue.claim()
            tests = modules[current]
            for index, item in enumerate(tests):
                if index + 1 < len(tests):
                    nextitem = tests[index + 1]
                else:
                    nextitem = modules[following][0] if following is not None else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                if session.shouldfail:
                    raise session.Failed(session.shouldfail)
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
            current = following
    except QueueMismatch as error:
        raise pytest.UsageError(str(error)) from None


class SharedLastFailed:
    """Keeps pytest's record of failed tests (`--lf`) whole when a queue's processes each write it."""

    def __init__(self, path: Path):
        self.path = path
        self.before: dict[str, Any] = {}

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        record = session.config.pluginmanager.get_plugin("lfplugin")
        self.before = _by_name(record.lastfailed) if record is not None else {}

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Any:
        record = session.config.pluginmanager.get_plugin("lfplugin")
        if record is None:  # no cache (-p no:cacheprovider)
            return (yield)
        with locked(self.path):
            # This process ran its own tests only: it drops those that passed, adds those that failed,
            # and leaves the other processes' entries as they wrote them.
            mine = _by_name(record.lastfailed)
            written = session.config.cache.get("cache/lastfailed", {})
            fixed = self.before.keys() - mine.keys()
            record.lastfailed = {**{k: v for k, v in written.items() if k not in fixed},
                                 **{k: v for k, v in mine.items() if k not in self.before}}
            return (yield)  # pytest's cache plugin writes it, still under the lock


def _by_name(lastfailed: dict[Any, bool]) -> dict[str, bool]:
    """pytest's record keyed by node id strings, as its cache file holds them (pytest 9 keeps parsed ids)."""
    return {str(nodeid): value for nodeid, value in lastfailed.items()}
