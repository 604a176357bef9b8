"""`sync-run`: passes of one mapping against real endpoints, with a run summary.

    sync-run --model model.json --mapping ID --config sync.toml [--passes N] [--state FILE]

The config (TOML or JSON) has a `[systems."<name>"]` table per system: `base_url` (or
`site` for Chargebee), `auth`, `paths`, and credentials (`api_key`, `token`, `user`,
`password`), which may instead come from `SYNC_<SYSTEM>_*` environment variables. A system
with no declared API is taken to offer only list, get, create and update; its table may say
what more it offers: `idempotency_header`, `conditional_writes = true`, `since_param`. It may
set `state` (the SQLite file). Credentials are never printed: everything sync-run writes
passes through a `Redactor` of every credential the config and the environment hold. It may
extend the shipped vocabulary (`generator/vocabulary.toml`) with the same sections:
`[concepts."wd:Q..."]` spellings per system, `[concept_fields]`, and `[[conditions]]` predicates for section conditions. A conditional
mapping with no predicate for its system is a configuration error (exit 2); a row whose condition
it cannot honour (the document leaves it blank, or its concept has no spelling for the system) is
skipped with a warning, as the engine skips it in-process.

The whole config is checked before the first request (`sync.config`: types, `auth` kinds, http/https
base URLs, credentials for the chosen auth, predicate values): an error names the file and the key,
exit 2. `request_seconds`, `pass_seconds` and `max_response_bytes` bound a request (with its retries
and body), a pass, and an answer's decompressed size. docs/sync-run.md has the schema and the limits.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sqlite3
import sys
import time
from collections import Counter
from typing import Any, Sequence

from generator.vocabulary import Vocabulary, resolve_rows

from . import config as configuration
from .connectors.base import PassDeadline
from .engine import SyncEngine, find_condition
from .errors import ConfigurationError
from .example_config import example_config
from .modelio import load_mapping, mappings_in
from .report import PassReport, report_json
from .state import StateStore
from .linksfile import read_links, write_json, write_links
from .protocol_server import main as serve_protocol
from .wiring import configured_secrets, connectors


def load_config(path: str | None) -> dict[str, Any]:
    """The config at `path`, checked whole (`sync.config`); ConfigurationError naming the file and key."""
    return configuration.load(path)[0]


# Characters that would let text from an API (an error message, a record id) forge or hide lines of the output:
# control characters (newlines, terminal escapes), line and paragraph separators, bidirectional overrides.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_LINE = 2000


def one_line(text: str) -> str:
    """`text` as one line a terminal shows as it is: unsafe characters escaped (`\\x1b`), cut to MAX_LINE."""
    text = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def open_state(path: str) -> StateStore:
    """The state store at `path`; a folder or a file SQLite cannot open is a `ConfigurationError`."""
    if os.path.isdir(path):
        raise ConfigurationError(f"state file {path}: is a folder; give the path of a file")
    try:
        return StateStore(path)
    except sqlite3.Error as exc:
        raise ConfigurationError(f"state file {path}: cannot be used ({exc})") from None


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


def _introduce(args: argparse.Namespace) -> int:
    """`--list-mappings`, `--example-config`, or what to do without `--mapping`."""
    try:
        mappings = mappings_in(args.model)
        if args.example_config:
            if not args.mapping:
                raise ValueError("--example-config needs --mapping ID (--list-mappings lists them)")
            print(example_config(load_mapping(args.model, args.mapping)), end="")
            return 0
    except (KeyError, OSError, ValueError) as exc:
        print(one_line(f"sync-run: {exc}"), file=sys.stderr)
        return 2
    if not args.list_mappings:
        print("sync-run: --mapping ID is required; the model's mappings:", file=sys.stderr)
    for m in mappings:
        print(one_line(f"{m.id}  ({m.source_system} {m.source_entity} -> {m.target_system} {m.target_entity}, "
                       f"{m.file}:{m.line})"), file=sys.stdout if args.list_mappings else sys.stderr)
    return 0 if args.list_mappings else 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sync-run", description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="model JSON file (dataflows with mappings)")
    parser.add_argument("--mapping", help="id of the mapping to run")
    parser.add_argument("--config", help="TOML or JSON config with a table per system")
    parser.add_argument("--state", help="SQLite state file (default: config's `state` or sync-state.db)")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--list-mappings", action="store_true", help="list the model's mappings and exit")
    parser.add_argument("--example-config", action="store_true",
                        help="print a commented config for --mapping's two systems and exit")
    parser.add_argument("--report", metavar="PATH",
                        help="write the last pass's report as JSON to PATH (docs/sut-protocol.md has its fields)")
    parser.add_argument("--links", metavar="PATH",
                        help="a JSON file of links and synchronized records: taken into the state before the "
                             "passes, and the mapping's links written back after (docs/sut-protocol.md)")
    parser.add_argument("--serve-protocol", action="store_true",
                        help="serve the system-under-test protocol on stdin/stdout (JSON lines) until stdin ends")
    args = parser.parse_args(argv)
    if args.serve_protocol:
        return serve_protocol()
    if not args.model:
        parser.error("--model is required")
    if args.list_mappings or args.example_config or not args.mapping:
        return _introduce(args)
    redact = configured_secrets({})
    engine_log = logging.getLogger("sync.engine")
    if not engine_log.handlers:
        # The engine logs each row it skips; sync-run says each itself (redacted, one line). With no handler,
        # Python's last resort printed the engine's line raw to stderr too, so every skipped row came twice.
        engine_log.addHandler(logging.NullHandler())

    def say(text: str, stream=sys.stdout) -> None:
        print(one_line(redact(text)), file=stream)

    try:
        mapping = load_mapping(args.model, args.mapping)
        raw = configuration.read(args.config)
        redact = configured_secrets(raw)  # before it is checked: an error may quote a table holding a secret
        config, limits, warnings = configuration.check(raw, args.config or "config", dict(os.environ))
        redact = configured_secrets(config)
        vocabulary = Vocabulary.shipped().extended(config, args.config or "config")
        find_condition(mapping, None, vocabulary)  # before anything is opened: a missing predicate stops here
        # A row whose condition cannot be honoured (no spelling for its concept) is skipped with a warning below,
        # as the engine skips it in-process: sync-run and the engine run the same rows.
        _rows, skipped = resolve_rows(mapping, vocabulary)
        source, target = connectors(mapping, config, limits)
        configured = redact  # with the connectors' own, as they are when a line is written (a session token)
        redact = lambda text: configured(source.redactor(target.redactor(text)))  # noqa: E731
        state = open_state(args.state or config.get("state") or "sync-state.db")
        if args.links:
            read_links(args.links, state)
        engine = SyncEngine(mapping, source, target, state, vocabulary=vocabulary)
    except (KeyError, OSError, ValueError, TypeError, AttributeError, ConfigurationError) as exc:
        say(f"sync-run: {exc}", sys.stderr)
        return 2
    for warning in warnings:
        say(f"sync-run: warning: {warning}", sys.stderr)
    for row, why in skipped:
        hint = (f' (add its spelling under [concepts."{row.when.has.strip()}"] in the config)'
                if row.when and row.when.problem() is None and why.startswith("no value known") else "")
        say(f"sync-run: warning: {row.file}:{row.line}: the row {row.source} -> {row.target} is skipped: {why}{hint}",
            sys.stderr)
    reports = []
    try:
        for _ in range(max(1, args.passes)):
            if limits.pass_seconds is not None:
                for connector in (source, target):
                    connector.pass_seconds = float(limits.pass_seconds)
                    connector.pass_deadline = time.monotonic() + float(limits.pass_seconds)
            report = engine.run_pass()
            reports.append(report)
            say(report.summary())
            for conflict in report.conflicts:
                say(f"  conflict {conflict.entity_id} {conflict.path}: {conflict.rule} ({conflict.winner})")
            for error in report.errors:
                say(f"  error {error.entity_id or '-'}: {error.message}")
    except PassDeadline as exc:  # the pass stops where it was; its cursors are not saved, the next pass resumes
        say(f"sync-run: the run stopped: {exc}", sys.stderr)
        return 1
    except Exception as exc:  # the boundary: whatever went wrong is said without a credential or a traceback
        say(f"sync-run: the run stopped: {type(exc).__name__}: {exc}", sys.stderr)
        return 1
    finally:
        try:
            if args.links:
                write_links(args.links, state, mapping.id)
            if args.report and reports:
                write_json(args.report, json.loads(redact(json.dumps(report_json(reports[-1])))))
        except (OSError, ConfigurationError) as exc:  # the passes ran; what they were asked to leave behind is not
            say(f"sync-run: {exc}", sys.stderr)
            return 2
        finally:
            state.close()
    say(json.dumps(summary(reports), sort_keys=True))
    return 1 if any(r.errors for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
