"""A child process's output kept in a file within a bound: its first HEAD bytes and its last TAIL bytes.

A system under test is somebody else's program: one that prints without end must not fill the disk
the checks run on, nor block on a pipe nobody reads. A thread drains the pipe as the child writes;
what falls between head and tail is counted, and said in one line where it was left out.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

HEAD = 4 << 20
TAIL = 1 << 20
CHUNK = 64 << 10


class CappedLog:
    """`child` is the descriptor to give the child as its stdout or stderr; `close` once it has ended."""

    def __init__(self, path: str | Path, head: int = HEAD, tail: int = TAIL):
        self.path, self.head, self.tail = Path(path), head, tail
        self._file = self.path.open("wb", buffering=0)  # the head readable while the child runs
        readable, self.child = os.pipe()
        self._thread = threading.Thread(target=self._drain, args=(readable,), name="sut-output", daemon=True)
        self._thread.start()

    def started(self) -> None:
        """The child holds its own copy of the pipe's end: closing ours lets the drain see the child's end."""
        if self.child >= 0:
            os.close(self.child)
            self.child = -1

    def close(self, timeout: float = 5.0) -> None:
        """Waits for the drain (a grandchild still holding the pipe is not waited for past `timeout`)."""
        self.started()
        self._thread.join(timeout)

    def _drain(self, readable: int) -> None:
        written, kept, left_out = 0, bytearray(), 0
        with os.fdopen(readable, "rb", buffering=0) as pipe, self._file:
            while chunk := pipe.read(CHUNK):  # read to the end whatever happens to the file: the child never blocks
                if written < self.head:
                    part = chunk[:self.head - written]
                    written += len(part) if self._write(part) else self.head  # a disk that refuses: no more head
                    chunk = chunk[len(part):]
                kept += chunk
                if len(kept) > self.tail:
                    left_out += len(kept) - self.tail
                    del kept[:len(kept) - self.tail]
            if left_out:
                self._write(f"\n[... {left_out} bytes of output left out ...]\n".encode())
            self._write(bytes(kept))

    def _write(self, data: bytes) -> bool:
        try:
            self._file.write(data)
            return True
        except OSError:  # a full disk: the output is lost, not the check
            return False
