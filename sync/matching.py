"""Merge-key matching in memory: one index per side, built from one listing of that side.

An entity matches when any one merge-key combination holds equal values on both sides.
Values compare as trimmed text, so `42` (a number in one system) matches `"42"`; an empty
or null value never matches. Where several records share a value, the first indexed wins:
they are treated as one entity.
"""
from __future__ import annotations

from typing import Any, Iterable

from .paths import get_path, is_empty


def match_values(value: Any) -> list[str]:
    """The comparable forms of a merge-key value (each item, for a value read through a list)."""
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if not is_empty(v) and not isinstance(v, (dict, list))]


class MergeIndex:
    """Record ids by merge-key value, for each merge-key column of one side."""

    def __init__(self, paths: Iterable[str]):
        self.paths = tuple(paths)
        self._index: dict[tuple[int, str], str] = {}

    def add(self, rid: str, record: dict, *, owner: str | None = None) -> None:
        """Indexes a record under its merge-key values; `owner` is what a match returns (default rid)."""
        for column, path in enumerate(self.paths):
            for value in match_values(get_path(record, path)):
                self._index.setdefault((column, value), owner or rid)

    def find(self, record: dict, paths: Iterable[str], *, exclude: str | None = None) -> str | None:
        """The id indexed under any of `record`'s values at `paths` (same column order), if any."""
        for column, path in enumerate(paths):
            for value in match_values(get_path(record, path)):
                hit = self._index.get((column, value))
                if hit is not None and hit != exclude:
                    return hit
        return None
