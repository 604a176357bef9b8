"""A SUT run as a command once per pass (`--sut 'my-sync --config {config} --mapping {mapping}'`).

The command is split like a shell line, then each placeholder in it is filled with a path in the
scenario's own folder (or the mapping's id): `{config}` (sync-run's config format, JSON), `{model}`
(the mappings, as `sync-run --model` reads them), `{mapping}`, `{state}` (a file the command may keep
its state in between passes), `{report}` (where it writes the pass report as JSON: `report.json`)
and `{links}` (the links file of docs/sut-protocol.md: `links.read` and `state.seed`; the command must
write it back after each pass). What it offers follows from the placeholders it takes. Exit 0 is a pass
that ran, and 1 one that reported errors in the report it wrote; anything else is its failure.
"""
from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import string
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from generator.model import EntityMapping

from ..report import PassReport, report_from_json
from .base import (INTERNAL, LINKS_READ, PASS, REPORT, STATE_SEED, Scenario, SutError, SystemUnderTest, Unsupported,
                   link_pairs, sut_environment)
from .capped import CappedLog
from .wire import model_json, scenario_config

PLACEHOLDERS = ("config", "model", "mapping", "state", "report", "links")
PASS_SECONDS = 120.0
TAIL = 2000  # of the command's output, in a failure's message
MAX_REPORT_BYTES = 16 << 20


def _read_json(path: Path, failure: str) -> Any:
    """A file the command wrote, read as JSON within MAX_REPORT_BYTES; SutError `failure` (with why) otherwise."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise ValueError(f"over {MAX_REPORT_BYTES >> 20} MB")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SutError(f"{failure} ({error})") from None


def _tail(path: Path) -> str:
    """The last TAIL characters a command printed (read from the end: its output may be large)."""
    with path.open("rb") as file:
        file.seek(max(0, file.seek(0, 2) - TAIL))
        return file.read().decode("utf-8", "replace")


class CommandSut(SystemUnderTest):
    # A process started for each pass competes with the fakes it calls for the CPU: on a loaded machine a
    # fine answer came later than the 0.05 s the other adapters get, a fault the checks had not scripted.
    faults_read_timeout = 0.5
    def __init__(self, command: str):
        self.command = command
        try:
            self.tokens = shlex.split(command)
        except ValueError as error:
            raise SutError(f"--sut {command!r}: {error}") from None
        used = {name for token in self.tokens for _text, name, _spec, _conv in string.Formatter().parse(token) if name}
        unknown = used - set(PLACEHOLDERS)
        if unknown:
            raise SutError(f"--sut {command!r}: no placeholder {{{sorted(unknown)[0]}}} "
                           f"(it takes {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")
        if not {"config", "mapping"} <= used:
            raise SutError(f"--sut {command!r} must take {{config}} and {{mapping}}: the fakes' addresses and "
                           "which section to run")
        self.capabilities = frozenset({PASS} | ({REPORT} if "report" in used else set())
                                      | ({LINKS_READ, STATE_SEED} if "links" in used else set()))
        self.name = command
        self.folder = Path(tempfile.mkdtemp(prefix="sut-scenarios-"))

    def scenario(self, harness: Any, conditions: dict | None = None, state_path: str = ":memory:") -> Scenario:
        if conditions:  # Python callables: only the engine in this process can run them
            raise Unsupported(INTERNAL, self.name)
        return CommandScenario(self, harness)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "adapter": "command", "command": self.command}

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class CommandScenario(Scenario):
    def __init__(self, sut: CommandSut, harness: Any):
        self.sut = sut
        self.folder = Path(tempfile.mkdtemp(prefix=f"h{harness.number}-", dir=sut.folder))
        self.paths = {name: self.folder / f"{name}.{'db' if name == 'state' else 'json'}"
                      for name in PLACEHOLDERS if name != "mapping"}
        config = scenario_config(harness.fakes(), harness.vocabulary, harness.read_timeout)
        self.paths["config"].write_text(json.dumps(config, indent=1), encoding="utf-8")
        self.held: dict[str, list] = {}  # the links the command wrote back after its last pass, by mapping
        self.given: dict[str, list] = {}  # links given since, handed over with the next pass
        self.synchronized: list[dict] = []

    def run_pass(self, mapping: EntityMapping) -> PassReport | None:
        self.paths["model"].write_text(json.dumps(model_json([mapping])), encoding="utf-8")
        report, links = self.paths["report"], self.paths["links"]
        report.unlink(missing_ok=True)
        if LINKS_READ in self.sut.capabilities:
            handed = {m: [p for p in self.held.get(m, []) if p[0] not in {g[0] for g in self.given.get(m, [])}]
                      + self.given.get(m, []) for m in {*self.held, *self.given}}
            links.write_text(json.dumps({"links": handed, "synchronized": self.synchronized}), encoding="utf-8")
            handed_at = links.stat().st_mtime_ns
        values = {**{k: str(v) for k, v in self.paths.items()}, "mapping": mapping.id}
        status = self._run([token.format_map(values) for token in self.sut.tokens], mapping)
        wrote_report = report.is_file()
        if status != 0 and not (status == 1 and wrote_report):  # 1 with a report: a pass that reported errors
            raise SutError(f"--sut's pass of {mapping.id} ended with status {status}"
                           f"{'' if wrote_report else ' and no report'}: {_tail(self.folder / 'output.log')}")
        if LINKS_READ in self.sut.capabilities:
            if links.stat().st_mtime_ns == handed_at:  # else the links read back would be only those handed over
                raise SutError(f"--sut's pass of {mapping.id} did not write {{links}} back")
            self.held, self.given = self._links_written(), {}
        if REPORT not in self.sut.capabilities:
            return None
        data = _read_json(report, f"--sut wrote no readable report for {mapping.id} at {{report}}")
        try:
            return report_from_json(data, f"--sut's report of {mapping.id}", whole=True)
        except ValueError as error:
            raise SutError(str(error)) from None

    def _run(self, command: list[str], mapping: EntityMapping) -> int:
        """The command's exit status; its output in a file of bounded size (a command may print without end)."""
        said = CappedLog(self.folder / "output.log")
        try:
            process = subprocess.Popen(command, stdout=said.child, stderr=subprocess.STDOUT, cwd=self.folder,
                                       env=sut_environment(), start_new_session=True)
        except OSError as error:
            said.close()
            raise SutError(f"--sut could not be run: {error.strerror or error}") from None
        said.started()
        try:
            return process.wait(timeout=PASS_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)  # with whatever it started
            process.wait()
            raise SutError(f"--sut ran a pass of {mapping.id} for over {PASS_SECONDS:.0f} s") from None
        finally:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)  # what the pass left running (it would hold its output open)
            said.close()

    def _links_written(self) -> dict[str, list]:
        data = _read_json(self.paths["links"], "--sut left a links file that cannot be read")
        links = data.get("links") if isinstance(data, dict) else None
        held = {str(m): link_pairs(pairs) for m, pairs in links.items()} if isinstance(links, dict) else None
        if held is None or None in held.values():
            raise SutError("--sut left a links file without {\"links\": {\"<mapping id>\": [[source id, target id]]}}")
        return {m: [list(p) for p in pairs] for m, pairs in held.items()}

    def links(self, mapping: EntityMapping) -> list[tuple[str, str]]:
        """The links the command wrote back after its last pass (those given since, it has not yet been told)."""
        return sorted((s, t) for s, t in self.held.get(mapping.id, []))

    def seed_link(self, mapping: EntityMapping, source_id: str, target_id: str) -> None:
        self.given.setdefault(mapping.id, []).append([source_id, target_id])

    def seed_synchronized(self, system: str, entity: str, record_id: str, from_system: str) -> None:
        self.synchronized.append({"system": system, "entity": entity, "from_system": from_system, "id": record_id})

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
