"""What every SUT is given about a scenario, in `sync-run`'s own config format (docs/sync-run.md).

A scenario's config names each system's fake API (its loopback base URL and the credentials the
fake made), the vocabulary the checks read conditions with, and the test-mode knobs a SUT
must honour to keep a suite fast (`test_mode`: a short read timeout, backoff not slept). The model
is the mappings as `sync-run --model` reads them.
"""
from __future__ import annotations

from typing import Any, Iterable

from apis.description import describe
from generator.model import EntityMapping
from generator.model_json import mapping_json
from generator.vocabulary import Vocabulary


def system_table(fake: Any) -> dict[str, Any]:
    """A system's table for its fake: where it is served and the secrets it takes."""
    auth = describe(fake.system).auth
    table: dict[str, Any] = {"base_url": fake.base_url}
    secret = fake.secret.reveal()
    if auth.style == "basic" and auth.user:
        pass  # the user is fixed (Tripletex's "0") and a session makes the password from the named secrets
    elif auth.style == "basic":
        table["api_key"] = secret
    elif auth.style == "bearer" and auth.session is None:  # else the session makes it from the named secrets
        table["token"] = secret
    table.update(getattr(fake, "named_secrets", {}))
    return table


def scenario_config(fakes: Iterable[Any], vocabulary: Vocabulary, read_timeout: float) -> dict[str, Any]:
    """The config of one scenario: a table per fake API, the vocabulary the checks read conditions with (the
    shipped one with the run's files), the test-mode knobs."""
    return {
        "systems": {fake.system: system_table(fake) for fake in fakes},
        **vocabulary.as_tables(),
        "test_mode": {"read_timeout_seconds": read_timeout, "sleep": False},
    }


def model_json(mappings: Iterable[EntityMapping]) -> dict[str, Any]:
    """The mappings as a model document (`sync-run --model`), one dataflow per file they come from."""
    flows: dict[str, list] = {}
    for mapping in mappings:
        flows.setdefault(mapping.file, []).append(mapping_json(mapping))
    return {"dataflows": [{"file": file, "mappings": found} for file, found in flows.items()]}
