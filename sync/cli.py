"""`sync-run`: passes of one mapping against real endpoints, with a run summary.

    sync-run --model model.json --mapping ID --config sync.toml [--passes N] [--state FILE]

The config (TOML or JSON) has a `[systems."<name>"]` table per system: `base_url` (or
`site` for Chargebee), `auth`, `paths`, and credentials (`api_key`, `token`, `user`,
`password`), which may instead come from `SYNC_<SYSTEM>_*` environment variables. It may
set `state` (the SQLite file). Credentials are never printed. It may extend the shipped
vocabulary (`sync/vocabulary.toml`) with the same sections: `[concepts."wd:Q..."]` spellings per
system, `[concept_fields]`, and `[[conditions]]` predicates for section conditions. A conditional
mapping with no predicate for its system, or a row whose concept has no spelling for its system,
is a configuration error (exit 2); a row whose condition the document leaves blank is skipped
with a warning.
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
from .engine import SyncEngine, find_condition
from .errors import ConfigurationError
from .modelio import load_mapping
from .names import system_key
from .report import PassReport
from .state import StateStore
from .vocabulary import Vocabulary, resolve_rows


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
        vocabulary = Vocabulary.shipped().extended(config, args.config or "config")
        find_condition(mapping, None, vocabulary)  # before anything is opened: a missing predicate stops here
        _rows, skipped = resolve_rows(mapping, vocabulary)
        unknown = [(row, why) for row, why in skipped if row.when and row.when.problem() is None]
        if unknown:
            raise ConfigurationError("; ".join(
                f"{row.file}:{row.line}: {row.source} -> {row.target}: {why} (add its spelling under "
                f'[concepts."{row.when.has.strip()}"] in the config)' for row, why in unknown))
        source = connector_for(mapping.source_system, config=system_config(config, mapping.source_system))
        target = connector_for(mapping.target_system, config=system_config(config, mapping.target_system))
        state = StateStore(args.state or config.get("state") or "sync-state.db")
        engine = SyncEngine(mapping, source, target, state, vocabulary=vocabulary)
    except (KeyError, OSError, ValueError, ConfigurationError) as exc:
        print(f"sync-run: {exc}", file=sys.stderr)
        return 2
    for row, why in skipped:
        print(f"sync-run: warning: {row.file}:{row.line}: the row {row.source} -> {row.target} is skipped: {why}",
              file=sys.stderr)
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
