"""A repro bundle per failed test: what an engineer needs to replay one failing item against a SUT by hand.

For each of the last harnesses of a failed test (a hypothesis test's last ones are its failing
example's), a folder under `--repro-dir`:

    <test>/<harness>/README.md                 the commands, in order
    <test>/<harness>/config.json               the scenario's config, its base URLs those of the served fakes below
    <test>/<harness>/model.json                the mappings its passes ran
    <test>/<harness>/pass-<n>/<system>.db       each fake's records just before pass n (`fake-api serve --state`)
    <test>/<harness>/pass-<n>/sync-state.db      the engine's state store just before pass n (the engine SUT's)
    <test>/<harness>/passes.json               the passes, in order: which mapping each ran, and the links
                                               and synchronized records the check gave the SUT before it

The fakes' credentials in config.json are the throwaway tokens each fake made for this test; the
served fakes take the same ones. Folder names are made of the test's id, never a path of its own.
"""
from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from apis.description import describe

from .sut.wire import model_json, scenario_config

MARK = ".sesam-talk-repro"  # in a folder of bundles this module made, and only there
KEEP = 8  # harnesses of one test whose passes are kept: a failing example's, not every example's
FIRST_PORT = 8701


def folder_name(text: str, limit: int = 120) -> str:
    """`text` as one folder name: letters, digits, `.`, `-`, `_` only, never `.` or `..`, at most `limit` long;
    one cut short ends in a hash of the whole, so that two long test ids never share a folder."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "test"
    if len(name) > limit:
        name = f"{name[:limit - 13]}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    return name


def start_bundles(folder: Path) -> None:
    """An empty folder of bundles for this run: an earlier run's are removed, but only from a folder this
    module made (it holds MARK); a folder of anything else is left as it is and bundles go beside its files."""
    if (folder / MARK).is_file():
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
    elif folder.exists() and any(folder.iterdir()):
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARK).write_text("repro bundles of failed tests (sync/repro.py); emptied at each run\n", encoding="utf-8")


def write_bundles(folder: Path, test_id: str, harnesses: Iterable[Any], sut: str) -> Path | None:
    """The bundles of a failed test's harnesses that ran passes; the test's folder, or None when none did."""
    kept = [h for h in harnesses if h.passes]
    if not kept:
        return None
    test_folder = folder / folder_name(test_id)
    shutil.rmtree(test_folder, ignore_errors=True)  # an earlier run's bundle of the same test
    for h in kept:
        _write(test_folder / f"h{h.number}", h, sut, test_id)
    return test_folder


def _write(folder: Path, h: Any, sut: str, test_id: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fakes = h.fakes()
    ports = {fake.system: FIRST_PORT + n for n, fake in enumerate(fakes)}
    config = scenario_config(fakes, h.vocabulary, h.read_timeout)
    for fake in fakes:  # the served fake answers at its API's own base path on its port
        path = urlsplit(describe(fake.system).url(fake.system)).path.rstrip("/")
        config["systems"][fake.system]["base_url"] = f"http://127.0.0.1:{ports[fake.system]}{path}"
    mappings = {m.id: m for m in (p["mapping"] for p in h.passes)}
    (folder / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    (folder / "model.json").write_text(json.dumps(model_json(mappings.values()), indent=1), encoding="utf-8")
    for number, done in enumerate(h.passes, 1):
        (folder / f"pass-{number}").mkdir(exist_ok=True)
        for system, data in done["fakes"].items():
            (folder / f"pass-{number}" / f"{folder_name(system)}.db").write_bytes(data)
        if done["state"] is not None:  # the engine's own state store, as sync-run --state opens it
            (folder / f"pass-{number}" / "sync-state.db").write_bytes(done["state"])
    (folder / "passes.json").write_text(json.dumps(
        [{"pass": n, "mapping": p["mapping"].id, "given_before": p["seeds"]} for n, p in enumerate(h.passes, 1)],
        indent=1), encoding="utf-8")
    (folder / "README.md").write_text(_readme(h, fakes, ports, sut, test_id), encoding="utf-8")


def _readme(h: Any, fakes: list, ports: dict[str, int], sut: str, test_id: str) -> str:
    ran = ", ".join(dict.fromkeys(p["mapping"].id for p in h.passes))
    lines = [f"# Replaying {test_id}", "", f"Harness {h.number}; the system under test was: {sut}; its passes ran {ran}.",
             "",
             "For pass N (passes.json), serve each fake with its records as they were just before it:", ""]
    for fake in fakes:
        secret = "--api-key" if describe(fake.system).auth.style == "basic" else "--token"
        lines.append("    " + shlex.join(["fake-api", "serve", fake.system, "--port", str(ports[fake.system]), secret,
                                          fake.secret.reveal(), "--state", f"pass-N/{folder_name(fake.system)}.db"]))
    lines += ["", "then run the pass against them, for example with this project's engine:", "",
              "    sync-run --model model.json --mapping MAPPING --config config.json --state pass-N/sync-state.db", "",
              "(or your own service with config.json and model.json). The state files are copies: replay as often",
              "as you like. Injected API faults are not replayed: the served fakes answer every request.", ""]
    return "\n".join(lines)
