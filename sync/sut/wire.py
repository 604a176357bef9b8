"""What every SUT is given about a scenario, in `sync-run`'s own config format (docs/sync-run.md).

A scenario's config names each system's fake API (its loopback base URL and the credentials the
fake made), the vocabulary the run extends the shipped one with, and the test-mode knobs a SUT
must honour to keep a suite fast (`test_mode`: a short read timeout, backoff not slept). The model
is the mappings as `sync-run --model` reads them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import tomllib

from apis.description import describe
from generator.model import EntityMapping
from generator.model_json import mapping_json


VOCABULARY_KEYS = ("concepts", "concept_fields", "conditions")


def system_table(fake: Any) -> dict[str, Any]:
    """A system's table for its fake: where it is served and the secrets it takes."""
    auth = describe(fake.system).auth
    table: dict[str, Any] = {"base_url": fake.base_url}
    secret = fake.secret.reveal()
    if auth.style == "basic" and auth.user:
        pass  # the user is fixed (Tripletex's "0") and a session makes the password from the named secrets
    elif auth.style == "basic":
        table["api_key"] = secret
    elif auth.style == "bearer":
        table["token"] = secret
    table.update(getattr(fake, "named_secrets", {}))
    return table


def scenario_config(fakes: Iterable[Any], vocabulary: dict[str, Any], read_timeout: float) -> dict[str, Any]:
    """The config of one scenario: a table per fake API, the run's vocabulary, the test-mode knobs."""
    return {
        "systems": {fake.system: system_table(fake) for fake in fakes},
        **vocabulary,
        "test_mode": {"read_timeout_seconds": read_timeout, "sleep": False},
    }


def model_json(mappings: Iterable[EntityMapping]) -> dict[str, Any]:
    """The mappings as a model document (`sync-run --model`), one dataflow per file they come from."""
    flows: dict[str, list] = {}
    for mapping in mappings:
        flows.setdefault(mapping.file, []).append(mapping_json(mapping))
    return {"dataflows": [{"file": file, "mappings": found} for file, found in flows.items()]}


def vocabulary_tables(files: Iterable[Path]) -> dict[str, Any]:
    """The vocabulary sections of the run's vocabulary files, merged as the harness's vocabulary reads them
    (already checked by then: the plugin refuses a run whose files it cannot read)."""
    merged: dict[str, Any] = {}
    for path in files:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        for key in VOCABULARY_KEYS:
            section = data.get(key)
            if isinstance(section, list):  # [[conditions]]: later files add predicates
                merged.setdefault(key, []).extend(section)
            elif key == "concept_fields" and isinstance(section, dict):  # patterns add up
                patterns = merged.setdefault(key, {}).setdefault("patterns", [])
                patterns.extend(section.get("patterns") or [])
            elif isinstance(section, dict):  # [concepts."wd:Q.."]: later files add or respell systems
                for name, table in section.items():
                    into = merged.setdefault(key, {})
                    into[name] = {**into.get(name, {}), **table} if isinstance(table, dict) else table
    return merged
