"""A pass of a SUT that gives no report, as the fake APIs saw it.

What the fakes' request logs show (the calls, hence the writes) is taken from them; what only the
SUT could say (records it created or linked, conflicts, per-record errors) is `Unsupported`, so a
check that reads it says "not verifiable against this system", never guesses.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from apis.description import describe

from .base import REPORT, Unsupported


class ObservedPass:
    """A pass report's fields, from the fakes' logs where they can be known; `Unsupported` otherwise."""

    def __init__(self, mapping_id: str, sut: str, requests: Iterable[tuple[Any, Any]]):
        self.mapping_id = mapping_id
        self._sut = sut
        calls: Counter[str] = Counter()
        for fake, request in requests:
            session = describe(fake.system).auth.session
            if session is not None and request.path == session.path:
                calls["auth"] += 1
            elif request.fault is None:  # an injected fault is the transport's retry of one call
                calls["write" if request.is_write else "read"] += 1
        self.received = dict(calls)  # by what they did, not the report's kinds (list, get, create...)

    @property
    def writes(self) -> int:
        """Write requests the APIs received in the pass (each answered, retries of one not counted)."""
        return self.received.get("write", 0)

    def __getattr__(self, name: str) -> Any:
        if name in ("created", "updated", "linked", "merged", "skipped", "conflicts", "errors", "api_calls"):
            raise Unsupported(REPORT, self._sut)
        raise AttributeError(name)

    def summary(self) -> str:
        return f"{self.mapping_id}: (no report; the APIs received {self.received})"
