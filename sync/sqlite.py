"""Opening the SQLite databases of the state store and the fake APIs, with their schema in place.

A harness opens three in-memory databases, and a suite makes tens of thousands of harnesses:
creating the tables each time (parsing the schema and writing its pages) was a tenth of the
suite's run time. An in-memory database instead starts as a copy of an image of its empty
schema, made once per process.
"""
from __future__ import annotations

import sqlite3
from functools import cache

MEMORY = ":memory:"


def connect(path: str, schema: str, *pragmas: str) -> sqlite3.Connection:
    """A connection (autocommit; transactions are opened explicitly) to `path` with `schema` created.

    `pragmas` run first on a file database (such as WAL mode); an in-memory one needs none.
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    if path == MEMORY:
        db.deserialize(_empty_image(schema))
    else:
        for pragma in pragmas:
            db.execute(pragma)
        db.executescript(schema)
    return db


@cache
def _empty_image(schema: str) -> bytes:
    db = sqlite3.connect(MEMORY)
    try:
        db.executescript(schema)
        return db.serialize()
    finally:
        db.close()
