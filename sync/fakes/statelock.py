"""One `fake-api serve` per state file: two processes writing one SQLite file answer each other's
clients with 500s (a locked database), so the second is refused before it serves anything.

The lock is an advisory `flock` on the state file itself, held for the life of the process and
released by the kernel when it ends, however it ends (no stale lock file to clean up). On
Linux it is independent of the POSIX locks SQLite takes on the same file.
"""
from __future__ import annotations

import os

try:
    import fcntl
except ImportError:  # Windows: no flock; a second process there is not refused
    fcntl = None  # type: ignore[assignment]


class StateInUse(Exception):
    """The state file is held by another process."""


def lock_state(path: str) -> int | None:
    """Holds an exclusive lock on `path` (created if missing) for as long as the returned descriptor is
    open; StateInUse if another process holds it, OSError if the file cannot be opened."""
    if fcntl is None:
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StateInUse(f"state {path!r} is in use by another fake-api serve; give each its own --state") from None
    return fd
