"""`sync-run`: passes of one mapping against real endpoints, with a run summary.

    sync-run --model model.json --mapping ID --config sync.toml [--passes N] [--state FILE]

The config (TOML or JSON) has a `[systems."<name>"]` table per system: `base_url` (or
`site` for Chargebee), `auth`, `paths`, and credentials (`api_key`, `token`, `user`,
`password`), which may instead come from `SYNC_<SYSTEM>_*` environment variables. It may
set `state` (the SQLite file). Credentials are never printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from .connectors.registry import connector_for
from .engine import SyncEngine
from .errors import ConfigurationError
from .modelio import load_mapping
from .names import system_key
from .report import PassReport
from .state import StateStore


def load_config(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text) if path.endswith(".json") else tomllib.loads(text)


def system_config(config: dict[str, Any], system: str) -> dict[str, Any]:
    """A system's config table, found by its spelling-independent name."""
    for name, table in (config.get("systems") or {}).items():
        if system_key(name) == system_key(system):
            return dict(table)
    return {}


def summary(reports: list[PassReport]) -> dict[str, Any]:
    """The totals of a run: counts, conflicts, errors and API calls by kind."""
    calls: Counter[str] = Counter()
    for r in reports:
        calls.update(r.api_calls)
    return {
        "passes": len(reports),
        **{k: sum(getattr(r, k) for r in reports) for k in ("created", "updated", "linked", "merged", "skipped")},
        "conflicts": sum(len(r.conflicts) for r in reports),
        "errors": sum(len(r.errors) for r in reports),
        "api_calls": dict(sorted(calls.items())),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sync-run", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="model JSON file (dataflows with mappings)")
    parser.add_argument("--mapping", required=True, help="id of the mapping to run")
    parser.add_argument("--config", help="TOML or JSON config with a table per system")
    parser.add_argument("--state", help="SQLite state file (default: config's `state` or sync-state.db)")
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        mapping = load_mapping(args.model, args.mapping)
        config = load_config(args.config)
        source = connector_for(mapping.source_system, config=system_config(config, mapping.source_system))
        target = connector_for(mapping.target_system, config=system_config(config, mapping.target_system))
        state = StateStore(args.state or config.get("state") or "sync-state.db")
        engine = SyncEngine(mapping, source, target, state, conditions={})
    except (KeyError, OSError, ValueError, ConfigurationError) as exc:
        print(f"sync-run: {exc}", file=sys.stderr)
        return 2
    reports = []
    for _ in range(max(1, args.passes)):
        report = engine.run_pass()
        reports.append(report)
        print(report.summary())
        for conflict in report.conflicts:
            print(f"  conflict {conflict.entity_id} {conflict.path}: {conflict.rule} ({conflict.winner})")
        for error in report.errors:
            print(f"  error {error.entity_id or '-'}: {error.message}")
    print(json.dumps(summary(reports), sort_keys=True))
    state.close()
    return 1 if any(r.errors for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
