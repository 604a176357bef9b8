"""The engine's memory between passes, in one SQLite file (stdlib sqlite3, WAL).

Per mapping it holds: links (source id, target id, how made), the records of each side as
last seen and as last synchronized (for change and echo detection), incremental cursors,
pending writes (a create's intent, recorded before the API call so a crash cannot cause a
duplicate), and entities to look at again next pass. Across mappings it holds which records
the engine created (never to be inserted back into their source) and which records are
synchronized into a system (for creation rules).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator

from .sqlite import close, connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (mapping TEXT, source_id TEXT, target_id TEXT, origin TEXT,
    PRIMARY KEY (mapping, source_id));
CREATE INDEX IF NOT EXISTS links_by_target ON links (mapping, target_id);
CREATE TABLE IF NOT EXISTS records (mapping TEXT, side TEXT, id TEXT, seen TEXT, synced TEXT,
    PRIMARY KEY (mapping, side, id));
CREATE TABLE IF NOT EXISTS cursors (mapping TEXT, side TEXT, cursor TEXT, PRIMARY KEY (mapping, side));
CREATE TABLE IF NOT EXISTS pending_writes (mapping TEXT, source_id TEXT, idempotency_key TEXT,
    body TEXT, PRIMARY KEY (mapping, source_id));
CREATE TABLE IF NOT EXISTS revisit (mapping TEXT, source_id TEXT, PRIMARY KEY (mapping, source_id));
CREATE TABLE IF NOT EXISTS created (system TEXT, entity TEXT, id TEXT, origin_system TEXT,
    PRIMARY KEY (system, entity, id));
CREATE TABLE IF NOT EXISTS synchronized (system TEXT, entity TEXT, id TEXT, PRIMARY KEY (system, entity, id));
"""


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class StateStore:
    """Links, snapshots, cursors and pending writes of every mapping, in one SQLite database."""

    def __init__(self, path: str = ":memory:"):
        self.path = path
        # autocommit: we open transactions ourselves, one per entity write.
        self._db = connect(path, _SCHEMA, "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
        self._depth = 0

    def __repr__(self) -> str:
        return f"StateStore({self.path!r})"

    def snapshot(self) -> bytes:
        """The whole store as an SQLite file's bytes (what `sync-run --state FILE` opens)."""
        return self._db.serialize()

    def close(self) -> None:
        self._db = close(self._db, self.path)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of state; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0

    # links
    def link(self, mapping: str, source_id: str, target_id: str, origin: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO links VALUES (?,?,?,?)", (mapping, source_id, target_id, origin))

    def links(self, mapping: str) -> dict[str, tuple[str, str]]:
        """source id -> (target id, origin)."""
        rows = self._db.execute("SELECT source_id, target_id, origin FROM links WHERE mapping=?", (mapping,))
        return {s: (t, o) for s, t, o in rows}

    # records as seen and as synced
    def remember_seen(self, mapping: str, side: str, records: dict[str, dict]) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT INTO records (mapping, side, id, seen) VALUES (?,?,?,?) "
                "ON CONFLICT (mapping, side, id) DO UPDATE SET seen=excluded.seen",
                [(mapping, side, rid, _dump(rec)) for rid, rec in records.items()],
            )

    def seen(self, mapping: str, side: str) -> dict[str, dict]:
        rows = self._db.execute("SELECT id, seen FROM records WHERE mapping=? AND side=? AND seen IS NOT NULL",
                                (mapping, side))
        return {rid: _load(text) for rid, text in rows}

    def synced(self, mapping: str, side: str) -> dict[str, dict]:
        rows = self._db.execute("SELECT id, synced FROM records WHERE mapping=? AND side=? AND synced IS NOT NULL",
                                (mapping, side))
        return {rid: _load(text) for rid, text in rows}

    def remember_synced(self, mapping: str, side: str, rid: str, record: dict) -> None:
        self._db.execute(
            "INSERT INTO records (mapping, side, id, seen, synced) VALUES (?,?,?,?,?) "
            "ON CONFLICT (mapping, side, id) DO UPDATE SET seen=excluded.seen, synced=excluded.synced",
            (mapping, side, rid, _dump(record), _dump(record)),
        )

    # cursors
    def cursor(self, mapping: str, side: str) -> Any:
        row = self._db.execute("SELECT cursor FROM cursors WHERE mapping=? AND side=?", (mapping, side)).fetchone()
        return _load(row[0]) if row else None

    def set_cursor(self, mapping: str, side: str, cursor: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO cursors VALUES (?,?,?)", (mapping, side, _dump(cursor)))

    # pending writes (intents)
    def record_intent(self, mapping: str, source_id: str, key: str, body: dict) -> None:
        self._db.execute("INSERT OR REPLACE INTO pending_writes VALUES (?,?,?,?)", (mapping, source_id, key, _dump(body)))

    def intents(self, mapping: str) -> dict[str, tuple[str, dict]]:
        rows = self._db.execute("SELECT source_id, idempotency_key, body FROM pending_writes WHERE mapping=?", (mapping,))
        return {s: (k, _load(b)) for s, k, b in rows}

    def clear_intent(self, mapping: str, source_id: str) -> None:
        self._db.execute("DELETE FROM pending_writes WHERE mapping=? AND source_id=?", (mapping, source_id))

    # entities to look at again
    def revisit(self, mapping: str, source_id: str, again: bool = True) -> None:
        if again:
            self._db.execute("INSERT OR IGNORE INTO revisit VALUES (?,?)", (mapping, source_id))
        else:
            self._db.execute("DELETE FROM revisit WHERE mapping=? AND source_id=?", (mapping, source_id))

    def to_revisit(self, mapping: str) -> set[str]:
        return {r for (r,) in self._db.execute("SELECT source_id FROM revisit WHERE mapping=?", (mapping,))}

    # records the engine created, and records synchronized into a system
    def mark_created(self, system: str, entity: str, rid: str, origin_system: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO created VALUES (?,?,?,?)", (system, entity, rid, origin_system))

    def created_from(self, system: str, entity: str, origin_system: str) -> set[str]:
        """Ids of records of (system, entity) the engine created from entities of `origin_system`."""
        rows = self._db.execute("SELECT id FROM created WHERE system=? AND entity=? AND origin_system=?",
                                (system, entity, origin_system))
        return {r for (r,) in rows}

    def mark_synchronized(self, system: str, entity: str, rid: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO synchronized VALUES (?,?,?)", (system, entity, rid))

    def is_synchronized(self, system: str, entity: str, rid: str) -> bool:
        row = self._db.execute("SELECT 1 FROM synchronized WHERE system=? AND entity=? AND id=?",
                               (system, entity, rid)).fetchone()
        return row is not None
