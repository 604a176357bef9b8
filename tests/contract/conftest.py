"""`fake-api serve` as a subprocess on loopback: started, its first line read for the URL, always stopped."""
from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest
import requests

from ..fake_api_process import drain, fake_api_command, stop

FIRST_LINE = re.compile(r"^serving (?P<system>.+) at (?P<url>http://127\.0\.0\.1:\d+\S*)$")


class Served:
    """A running `fake-api serve`: its base URL, its first line, and how to stop it."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen([*fake_api_command(), "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.first_line = self._first_line(timeout=30)
        match = FIRST_LINE.match(self.first_line)
        if not match:
            self.process.terminate()
            _, stderr = self.process.communicate(timeout=10)
            raise AssertionError(f"fake-api's first line is not 'serving SYSTEM at URL': {self.first_line!r}; "
                                 f"stderr: {stderr}")
        self.url = match["url"]
        self.access_log = drain(self.process.stderr)  # one line per request: an unread pipe would stall the server

    def _first_line(self, timeout: float) -> str:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return lines[0].rstrip("\n") if lines else ""

    def stop(self) -> int:
        """SIGTERM, then the exit status (killed after 10 s if it would not stop)."""
        return stop(self.process)


@pytest.fixture(scope="module")
def shared_chargebee() -> Iterator[Served]:
    """One served Chargebee fake for the tests of a module that need no fresh state of their own."""
    served = Served("chargebee", "--port", "0", "--api-key", "test_contract_key")
    yield served
    served.stop()


@pytest.fixture
def serve() -> Iterator:
    """A factory: ``serve("chargebee", "--api-key", KEY) -> Served``; every server is stopped afterwards."""
    started: list[Served] = []

    def start(*args: str) -> Served:
        started.append(Served(*args))
        return started[-1]

    yield start
    for served in started:
        served.stop()


def pytest_collection_modifyitems(items: list) -> None:
    """The contract modules' cases in the order of their ids: Schemathesis generates a schema's operations in an
    order that may differ between processes, and pytest-xdist needs every worker to collect the same list."""
    here = Path(__file__).parent
    positions = [n for n, item in enumerate(items) if Path(str(item.fspath)).parent == here]
    for position, item in zip(positions, sorted((items[n] for n in positions), key=lambda i: (str(i.fspath), i.nodeid))):
        items[position] = item


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    """One HTTP session for a module's contract tests (Schemathesis sends its cases through it)."""
    with requests.Session() as session:
        yield session
