"""A mapping's two connectors from a checked `sync-run` config: what `sync-run` and its protocol server share."""
from __future__ import annotations

import os
from typing import Any

from apis.description import describe

from generator.model import EntityMapping

from .config import Limits
from .connectors.base import RestConnector
from .connectors.registry import connector_for
from .credentials import credentials_for
from .http import build_session
from .names import system_key
from .redaction import Redactor


def system_config(config: dict[str, Any], system: str) -> dict[str, Any]:
    """A system's config table, found by its spelling-independent name."""
    for name, table in (config.get("systems") or {}).items():
        if system_key(name) == system_key(system):
            return dict(table)
    return {}


def connectors(mapping: EntityMapping, config: dict[str, Any], limits: Limits) -> tuple[RestConnector, RestConnector]:
    """The source and target connectors of `mapping`, bounded by `limits` (and its test-mode knobs)."""
    session = None
    if not limits.sleep:  # test mode: backoff and Retry-After are not slept, as the checks' own engine
        session = build_session(backoff_factor=0, sleep=lambda _seconds: None)
        session.trust_env = False  # no proxy from the environment stands between it and a loopback fake
    made = []
    for system, entity in ((mapping.source_system, mapping.source_entity), (mapping.target_system, mapping.target_entity)):
        connector = connector_for(system, entity=entity, config=system_config(config, system),
                                  **({"session": session} if session else {}))
        connector.request_seconds = float(limits.request_seconds)
        connector.max_response_bytes = int(limits.max_response_bytes)
        if limits.read_timeout_seconds is not None:
            connector.timeout = (connector.timeout[0], limits.read_timeout_seconds)
        made.append(connector)
    return made[0], made[1]


def _named(system: str) -> tuple[str, ...]:
    """The further secrets a system's API takes (`subscription_key`); the generic API takes none."""
    return describe(system).auth.credential_names


def configured_secrets(config: dict[str, Any], environ: dict[str, str] | None = None) -> Redactor:
    """A redactor of every credential in the config's system tables and in `SYNC_*` variables."""
    environ = dict(os.environ if environ is None else environ)
    systems = config.get("systems") if isinstance(config.get("systems"), dict) else {}
    tables = [(str(name), table) for name, table in systems.items() if isinstance(table, dict)]
    credentials = [credentials_for(name, style, {k: str(v) for k, v in table.items() if isinstance(v, (str, int))},
                                   environ={}, names=_named(name)) for name, table in tables for style in ("basic", "bearer")]
    urls = [str(table[key]) for _name, table in tables for key in ("base_url", "site") if table.get(key)]
    suffixes = ("_API_KEY", "_TOKEN", "_USER", "_PASSWORD", "_KEY", *{f"_{n.upper()}" for _s, t in tables for n in _named(_s)})
    variables = [value for name, value in environ.items() if name.startswith("SYNC_") and name.endswith(suffixes)]
    return Redactor.of(credentials, urls, variables)
