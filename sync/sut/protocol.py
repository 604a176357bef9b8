"""The long-running SUT: a sync service started once, spoken to in JSON lines (docs/sut-protocol.md).

Like Dredd's `--server` and its hooks handler: the command starts once per test process; it writes
a hello line (`{"protocol": "sesam-talk-sut/1", "name", "capabilities"}`), then answers each request
line with one response line of the same `id`. Every request carries its scenario's id, config and
model, so a service needs no set-up call and may keep a scenario's state however it likes until
`end`. Lines are bounded, answers timed out, and the service's stderr is kept in a file of its own.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import shlex
import signal
import subprocess
import tempfile
import threading
from typing import Any

from generator.model import EntityMapping

from ..report import PassReport, report_from_json
from .base import (INTERNAL, MAX_LINE, OFFERED, PASS, PROTOCOL, REPORT, Scenario, SutError, SystemUnderTest,
                   Unsupported, link_pairs, one_line, shown, sut_environment)
from .capped import CappedLog
from .wire import model_json, scenario_config

START_SECONDS = 60.0  # the service's own start (a JVM may take a while)
ANSWER_SECONDS = 120.0  # one pass against fakes on loopback: far more than any check needs


class ProtocolSut(SystemUnderTest):
    """A sync service behind `command`, started now and stopped by `close`."""

    def __init__(self, command: str):
        self.command = command
        self._ids = itertools.count(1)
        self._scenarios = itertools.count(1)
        self._lock = threading.Lock()
        self._lines: queue.Queue[bytes | None] = queue.Queue(maxsize=4)  # a service printing without end waits
        self.dead: str | None = None  # why no later answer can be trusted (a timeout, a wrong id): said at once
        handle, self.stderr_path = tempfile.mkstemp(prefix="sut-", suffix=".log")
        os.close(handle)
        self.broke = False  # a request failed: its message names the stderr file, which is then kept
        self._stderr = CappedLog(self.stderr_path)
        try:
            self._process = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._stderr.child, env=sut_environment(), start_new_session=True)
        except (OSError, ValueError) as error:
            self._stderr.close()
            os.unlink(self.stderr_path)
            raise SutError(f"--sut {command!r} could not be started: {getattr(error, 'strerror', None) or error}") from None
        self._stderr.started()
        threading.Thread(target=self._read, name="sut-stdout", daemon=True).start()
        try:
            hello = self._answer(START_SECONDS, "its hello line")
            if hello.get("protocol") != PROTOCOL:
                raise SutError(f"--sut {command!r} speaks {shown(hello.get('protocol'))}, not {PROTOCOL!r}")
            given = hello.get("capabilities")
            if not isinstance(given, list) or PASS not in given:
                raise SutError(f"--sut {command!r}: its hello must list its capabilities, \"pass\" among them")
        except SutError:
            self.close()  # a service that will not speak the protocol is not left running
            raise
        self.name = one_line(str(hello.get("name") or command))[:200]
        self.capabilities = frozenset(c for c in given if c in OFFERED)

    def _read(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        while True:
            line = stdout.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:  # the rest of that line would be read as answers: no answer is trusted
                self._lines.put(b"")
                return
            self._lines.put(line or None)
            if not line:
                return

    def _answer(self, seconds: float, what: str) -> dict[str, Any]:
        self.broke = True  # until the answer is read whole and well-formed
        try:
            line = self._lines.get(timeout=seconds)
        except queue.Empty:
            raise self._died(f"gave no answer within {seconds:.0f} s ({what})") from None
        if line is None:
            self._lines.put(None)  # every later request is told the same
            raise self._died(f"ended (status {self._ended()}) before {what}")
        if line == b"":
            raise self._died(f"answered {what} with a line over {MAX_LINE} bytes")
        try:
            answer = json.loads(line)
        except ValueError:
            raise self._died(f"answered {what} with a line that is not JSON: {shown(line)}") from None
        if not isinstance(answer, dict):
            raise self._died(f"answered {what} with {type(answer).__name__}, not an object")
        self.broke = False
        return answer

    def _ended(self) -> int | None:
        """The status of a service whose stdout ended; its stderr file then holds all it said."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=1.0)
        if self._process.poll() is not None:
            self._stderr.close(timeout=1.0)
        return self._process.poll()

    def _died(self, why: str) -> SutError:
        """The service's answers are out of step from now on (a late answer would be taken for the next one's)."""
        self.dead = f"--sut {why}; its stderr: {self.stderr_path}"
        return SutError(self.dead)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sends one request and returns its answer's content; SutError when the service refuses or breaks."""
        with self._lock:
            if self.dead is not None:
                raise SutError(f"{self.dead} (said before: no later answer can be trusted)")
            number = next(self._ids)
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps({"id": number, **request}).encode() + b"\n")
                self._process.stdin.flush()
            except OSError:
                raise self._died(f"ended (status {self._ended()})") from None
            what = f"the {request['action']!r} request {number}"
            answer = self._answer(ANSWER_SECONDS, what)
            if answer.get("id") != number:
                raise self._died(f"answered {what} with id {shown(answer.get('id'))}")
        if answer.get("ok") is not True:
            self.broke = True
            raise SutError(f"--sut refused {what}: {one_line(str(answer.get('error')))[:2000]}; "
                           f"its stderr: {self.stderr_path}")
        return answer

    def scenario(self, harness: Any, conditions: dict | None = None, state_path: str = ":memory:") -> Scenario:
        if conditions:  # Python callables: only the engine in this process can run them
            raise Unsupported(INTERNAL, self.name)
        return ProtocolScenario(self, harness, f"s{os.getpid()}-{next(self._scenarios)}")

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "adapter": "protocol", "command": self.command}

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                assert self._process.stdin is not None
                self._process.stdin.close()  # the service's cue to end
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                with contextlib.suppress(OSError):
                    os.killpg(self._process.pid, signal.SIGKILL)  # with whatever it started (a JVM under a script)
                self._process.wait()
        self._stderr.close()
        if not self.broke:  # nothing pointed anyone at it
            with contextlib.suppress(OSError):
                os.unlink(self.stderr_path)


class ProtocolScenario(Scenario):
    def __init__(self, sut: ProtocolSut, harness: Any, name: str):
        self.sut, self.harness, self.name = sut, harness, name
        self.config = scenario_config(harness.fakes(), harness.vocabulary, harness.read_timeout)
        self._ended = False

    def _ask(self, action: str, mapping: EntityMapping | None = None, **more: Any) -> dict[str, Any]:
        request: dict[str, Any] = {"action": action, "scenario": self.name, "config": self.config}
        if mapping is not None:
            request.update(model=model_json([mapping]), mapping=mapping.id)
        return self.sut.ask({**request, **more})

    def run_pass(self, mapping: EntityMapping) -> PassReport | None:
        answer = self._ask("pass", mapping)
        if REPORT not in self.sut.capabilities:
            return None
        try:
            return report_from_json(answer.get("report"), f"--sut's report of {mapping.id}", whole=True)
        except ValueError as error:
            raise SutError(str(error)) from None

    def links(self, mapping: EntityMapping) -> list[tuple[str, str]]:
        pairs = link_pairs(self._ask("links", mapping).get("links"))
        if pairs is None:
            raise SutError(f"--sut's links of {mapping.id} must be a list of [source id, target id]")
        return sorted(pairs)

    def seed_link(self, mapping: EntityMapping, source_id: str, target_id: str) -> None:
        self._ask("seed", mapping, state="link", params={"source": source_id, "target": target_id})

    def seed_synchronized(self, system: str, entity: str, record_id: str, from_system: str) -> None:
        self._ask("seed", state="synchronized",
                  params={"system": system, "entity": entity, "from_system": from_system, "id": record_id})

    def close(self) -> None:
        if not self._ended:
            self._ended = True
            try:
                self.sut.ask({"action": "end", "scenario": self.name})
            except SutError:
                pass  # a service that broke said so on the request that broke it
