"""A SUT run as a command once per pass (`--sut 'my-sync --config {config} --mapping {mapping}'`).

The command is split like a shell line, then each placeholder in it is filled with a path in the
scenario's own folder (or the mapping's id): `{config}` (sync-run's config format, JSON), `{model}`
(the mappings, as `sync-run --model` reads them), `{mapping}`, `{state}` (a file the command may keep
its state in between passes), `{report}` (where it writes the pass report as JSON: `report.json`)
and `{links}` (the links file of docs/sut-protocol.md: `links.read` and `state.seed`). What it offers
follows from the placeholders it takes. Exit 0 or 1 is a pass that ran; anything else is its failure.
"""
from __future__ import annotations

import json
import shlex
import shutil
import string
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from generator.model import EntityMapping

from ..report import PassReport, report_from_json
from .base import LINKS_READ, PASS, REPORT, STATE_SEED, Scenario, SutError, SystemUnderTest
from .wire import model_json, scenario_config

PLACEHOLDERS = ("config", "model", "mapping", "state", "report", "links")
PASS_SECONDS = 120.0
TAIL = 2000  # of the command's output, in a failure's message
MAX_REPORT_BYTES = 16 << 20


def _tail(path: Path) -> str:
    """The last TAIL characters a command printed (read from the end: its output may be large)."""
    with path.open("rb") as file:
        file.seek(max(0, file.seek(0, 2) - TAIL))
        return file.read().decode("utf-8", "replace")


class CommandSut(SystemUnderTest):
    def __init__(self, command: str, vocabulary: dict[str, Any] | None = None):
        self.command = command
        self.vocabulary = vocabulary or {}
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
        return CommandScenario(self, harness)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "adapter": "command", "command": self.command}

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class CommandScenario(Scenario):
    def __init__(self, sut: CommandSut, harness: Any):
        self.sut = sut
        self.folder = Path(tempfile.mkdtemp(prefix=f"h{harness.number}-", dir=sut.folder))
        self.paths = {name: str(self.folder / f"{name}.{'db' if name == 'state' else 'json'}")
                      for name in PLACEHOLDERS if name != "mapping"}
        Path(self.paths["config"]).write_text(json.dumps(scenario_config(harness.fakes(), sut.vocabulary, harness.read_timeout), indent=1),
                                              encoding="utf-8")

    def run_pass(self, mapping: EntityMapping) -> PassReport | None:
        Path(self.paths["model"]).write_text(json.dumps(model_json([mapping])), encoding="utf-8")
        report = Path(self.paths["report"])
        report.unlink(missing_ok=True)
        values = {**self.paths, "mapping": mapping.id}
        command = [token.format_map(values) for token in self.sut.tokens]
        output = self.folder / "output.log"  # a file, not memory: a command may print without end
        try:
            with output.open("wb") as said:
                done = subprocess.run(command, stdout=said, stderr=subprocess.STDOUT, timeout=PASS_SECONDS,
                                      cwd=self.folder)
        except OSError as error:
            raise SutError(f"--sut could not be run: {error.strerror or error}") from None
        except subprocess.TimeoutExpired:
            raise SutError(f"--sut ran a pass of {mapping.id} for over {PASS_SECONDS:.0f} s") from None
        if done.returncode not in (0, 1):
            raise SutError(f"--sut's pass of {mapping.id} ended with status {done.returncode}: {_tail(output)}")
        if REPORT not in self.sut.capabilities:
            return None
        try:
            if report.stat().st_size > MAX_REPORT_BYTES:
                raise ValueError(f"over {MAX_REPORT_BYTES >> 20} MB")
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SutError(f"--sut wrote no readable report for {mapping.id} at {{report}} ({error})") from None
        try:
            return report_from_json(data, f"--sut's report of {mapping.id}")
        except ValueError as error:
            raise SutError(str(error)) from None

    def _links_file(self) -> dict[str, Any]:
        try:
            data = json.loads(Path(self.paths["links"]).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"links": {}, "synchronized": []}
        except (OSError, ValueError) as error:
            raise SutError(f"--sut left a links file that cannot be read ({error})") from None
        if not isinstance(data, dict) or not isinstance(data.get("links", {}), dict):
            raise SutError("--sut left a links file that is not {\"links\": {...}, \"synchronized\": [...]}")
        return {"links": data.get("links", {}), "synchronized": data.get("synchronized", [])}

    def links(self, mapping: EntityMapping) -> list[tuple[str, str]]:
        pairs = self._links_file()["links"].get(mapping.id, [])
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise SutError(f"--sut's links of {mapping.id} must be a list of [source id, target id]")
        return sorted((str(s), str(t)) for s, t in pairs)

    def seed_link(self, mapping: EntityMapping, source_id: str, target_id: str) -> None:
        data = self._links_file()
        data["links"][mapping.id] = [p for p in data["links"].get(mapping.id, []) if p[0] != source_id] + [
            [source_id, target_id]]
        Path(self.paths["links"]).write_text(json.dumps(data), encoding="utf-8")

    def seed_synchronized(self, system: str, entity: str, record_id: str, from_system: str) -> None:
        data = self._links_file()
        data["synchronized"].append({"system": system, "entity": entity, "from_system": from_system, "id": record_id})
        Path(self.paths["links"]).write_text(json.dumps(data), encoding="utf-8")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
