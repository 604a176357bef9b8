"""Paginators as objects: each says what to ask for next and whether there is more."""
from __future__ import annotations

from typing import Any


class PagingLoop(RuntimeError):
    """An API handed back a page token it had already given: following it would never end."""


def _at(body: Any, dotted: str) -> Any:
    """The value at a dotted path of a response body (`paging.next.after`), or None."""
    for part in dotted.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


class TokenPaginator:
    """Follows a token or next-page link the response carries (`next_offset`, `paging.next.after`,
    `nextPageUrl`); none = last page."""

    def __init__(self, token_field: str):
        self.token_field = token_field
        self.token: Any = None
        self.has_more = True
        self._seen: set[str] = set()

    def advance(self, body: dict) -> None:
        token = _at(body, self.token_field)
        if token in (None, ""):
            self.has_more = False
            return
        if str(token) in self._seen:
            raise PagingLoop(f"page token {token!r} came back twice")
        self._seen.add(str(token))
        self.token = token


class PageNumberPaginator:
    """Counts pages 1, 2, ... until the response's `total_pages` is reached."""

    def __init__(self, total_field: str = "total_pages"):
        self.total_field = total_field
        self.token = 1
        self.has_more = True

    def advance(self, body: dict) -> None:
        total = _at(body, self.total_field)
        if not isinstance(total, int) or self.token >= total:
            self.has_more = False
        else:
            self.token += 1
