"""Opening the SQLite databases of the state store and the fake APIs, with their schema in place.

A harness opens three in-memory databases, and a suite makes tens of thousands of harnesses:
creating the tables each time (parsing the schema and writing its pages) was a tenth of the
suite's run time. An in-memory database instead starts as a copy of an image of its empty
schema, made once per process, and in a connection left by a closed one: opening and closing a
connection cost four times what loading the image does.
"""
from __future__ import annotations

import sqlite3
from functools import cache

MEMORY = ":memory:"
_IDLE_MAX = 8
_idle: list[sqlite3.Connection] = []  # connections of closed in-memory databases, to be reused


def _closed() -> sqlite3.Connection:
    db = sqlite3.connect(MEMORY)
    db.close()
    return db


# What a store holds once closed: using it raises sqlite3.ProgrammingError, as a closed connection does.
CLOSED = _closed()


def connect(path: str, schema: str, *pragmas: str) -> sqlite3.Connection:
    """A connection (autocommit; transactions are opened explicitly) to `path` with `schema` created.

    `pragmas` run first on a file database (such as WAL mode); an in-memory one needs none.
    """
    if path == MEMORY:
        db = _idle.pop() if _idle else sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.deserialize(_empty_image(schema))  # replaces whatever the connection held
        return db
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in pragmas:
        db.execute(pragma)
    db.executescript(schema)
    return db


def close(db: sqlite3.Connection, path: str) -> sqlite3.Connection:
    """Closes the database `db` opened at `path`; returns CLOSED, for its holder to keep instead.

    An in-memory database's connection is kept for the next one `connect` opens: nothing of its
    content survives that, and its holder no longer reaches it.
    """
    if path == MEMORY and db is not CLOSED and not db.in_transaction and len(_idle) < _IDLE_MAX:
        _idle.append(db)
    else:
        db.close()
    return CLOSED


@cache
def _empty_image(schema: str) -> bytes:
    db = sqlite3.connect(MEMORY)
    try:
        db.executescript(schema)
        return db.serialize()
    finally:
        db.close()
