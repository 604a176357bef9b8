"""A fake API's records: JSON documents in SQLite, stamped by a logical clock.

The clock is shared by every fake of one harness and advances on every write, so "most
recently updated" is well defined across systems even within one second. Its values look
like Unix seconds, which is what Chargebee's `updated_at` is.
"""
from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from typing import Any, Callable

from ..sqlite import MEMORY, close, connect

CLOCK_START = 1_700_000_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT, id TEXT,
                                 stamp INTEGER, doc TEXT, UNIQUE (entity, id));
CREATE INDEX IF NOT EXISTS docs_by_stamp ON docs (entity, stamp, seq);
CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, scope TEXT, status INTEGER, body TEXT);
CREATE TABLE IF NOT EXISTS served (entity TEXT PRIMARY KEY, path TEXT, object_key TEXT, schema TEXT);
"""


class LogicalClock:
    """A counter that only moves forward: one tick per write, in any fake that shares it."""

    def __init__(self, start: int = CLOCK_START):
        self._ticks = itertools.count(start + 1)
        self.now = start

    def tick(self) -> int:
        self.now = next(self._ticks)
        return self.now


class WallClock(LogicalClock):
    """A logical clock that also moves with wall time: each write at least a second after the last, and never
    behind the time of day. For a system under test in another process, which may compare the APIs' change
    times with its own clock; this engine's own checks keep the fixed start, so their stamps replay alike."""

    def __init__(self) -> None:
        super().__init__(int(time.time()))

    def tick(self) -> int:
        self.now = max(self.now + 1, int(time.time()))
        return self.now


class FakeStore:
    """Documents by (entity, id) with their write order and stamp, plus remembered idempotent replies.

    `path` is an SQLite file (`fake-api serve --state FILE` keeps a fake's records across
    restarts) or ":memory:" (the tests' fresh fakes). A served fake answers from several
    threads: one lock serializes them, as one SQLite connection must be.
    """

    def __init__(self, path: str = MEMORY) -> None:
        self._path = path
        self._db = connect(path, _SCHEMA)
        self.lock = threading.RLock()
        self._ids = itertools.count(1)

    def extend(self, schema: str) -> sqlite3.Connection:
        """The store's database with a fake's own tables added (`schema`: CREATE ... IF NOT EXISTS), so that
        they live, and are kept or lost, with its records."""
        self._db.executescript(schema)
        return self._db

    def last_stamp(self) -> int | None:
        """The newest stamp held (a served fake's clock resumes after it)."""
        return self._db.execute("SELECT MAX(stamp) FROM docs").fetchone()[0]

    def keep_served(self, rows: list[tuple[str, str, str, str | None]]) -> None:
        """The entities a fake serves (entity, path, object key, declared fields as JSON), kept with its records so
        that `fake-api serve --state` answers at the same paths (a repro bundle's state)."""
        with self.lock:
            self._db.executemany("INSERT OR REPLACE INTO served VALUES (?,?,?,?)", rows)

    def served(self) -> list[tuple[str, str, str, str | None]]:
        with self.lock:
            return self._db.execute("SELECT entity, path, object_key, schema FROM served ORDER BY entity").fetchall()

    def snapshot(self) -> bytes:
        """The whole database as an SQLite file's bytes (what `fake-api serve --state FILE` opens)."""
        with self.lock:
            return self._db.serialize()

    def close(self) -> None:
        self._db = close(self._db, self._path)

    def new_id(self, entity: str, form: Callable[[int], str] = str) -> str:
        """An unused id for `entity`, numbered in `form` (an API's own style of id)."""
        while True:
            rid = form(next(self._ids))
            if self.get(entity, rid) is None:
                return rid

    def insert(self, entity: str, rid: str, doc: dict, stamp: int) -> None:
        self._db.execute("INSERT INTO docs (entity, id, stamp, doc) VALUES (?,?,?,?)",
                         (entity, rid, stamp, json.dumps(doc)))

    def replace(self, entity: str, rid: str, doc: dict, stamp: int) -> None:
        # A write moves the record to the end of the stamp order, as an updated_at sort would.
        self._db.execute("UPDATE docs SET stamp=?, doc=? WHERE entity=? AND id=?",
                         (stamp, json.dumps(doc), entity, rid))

    def get(self, entity: str, rid: str) -> dict | None:
        row = self._db.execute("SELECT doc FROM docs WHERE entity=? AND id=?", (entity, rid)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, entity: str) -> list[dict]:
        rows = self._db.execute("SELECT doc FROM docs WHERE entity=? ORDER BY seq", (entity,))
        return [json.loads(doc) for (doc,) in rows]

    def page(self, entity: str, *, after_stamp: int | None, position: tuple[int, int] | None,
             limit: int, by_stamp: bool) -> tuple[list[dict], tuple[int, int] | None]:
        """Up to `limit` documents after `position` in (stamp, seq) or seq order, and the next position."""
        where, args = ["entity=?"], [entity]
        if after_stamp is not None:
            where.append("stamp>?")
            args.append(after_stamp)
        if position is not None:
            where.append("(stamp, seq) > (?, ?)" if by_stamp else "seq > ?")
            args.extend(position if by_stamp else position[1:])
        order = "stamp, seq" if by_stamp else "seq"
        rows = self._db.execute(f"SELECT stamp, seq, doc FROM docs WHERE {' AND '.join(where)} "
                                f"ORDER BY {order} LIMIT ?", (*args, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = (rows[-1][0], rows[-1][1]) if more and rows else None
        return [json.loads(doc) for _, _, doc in rows], nxt

    def count(self, entity: str, after_stamp: int | None) -> int:
        sql, args = "SELECT COUNT(*) FROM docs WHERE entity=?", [entity]
        if after_stamp is not None:
            sql, args = sql + " AND stamp>?", [entity, after_stamp]
        return self._db.execute(sql, args).fetchone()[0]

    def reply_for(self, key: str) -> tuple[str, int, Any] | None:
        """(scope, status, body) remembered for an idempotency key; the scope says which request it answered."""
        row = self._db.execute("SELECT scope, status, body FROM replies WHERE key=?", (key,)).fetchone()
        return (row[0], row[1], json.loads(row[2])) if row else None

    def remember_reply(self, key: str, scope: str, status: int, body: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO replies VALUES (?,?,?,?)", (key, scope, status, json.dumps(body)))
