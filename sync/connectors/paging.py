"""Paginators as objects: each says what to ask for next and whether there is more."""
from __future__ import annotations

from typing import Any, Iterator

MAX_PAGES = 10_000  # a listing longer than this is an API that never says it has ended


def bounded_pages() -> Iterator[int]:
    """Page numbers 1, 2, ... up to MAX_PAGES; PagingLoop when a listing asks for one more (a fresh cursor on
    every page never repeats, so loop detection alone would never stop it)."""
    yield from range(1, MAX_PAGES + 1)
    raise PagingLoop(f"more than {MAX_PAGES} pages: the listing does not end")


class PagingLoop(RuntimeError):
    """An API handed back a page token it had already given: following it would never end."""


def _at(body: Any, dotted: str) -> Any:
    """The value at a dotted path of a response body (`paging.next.after`), or None; a key that holds dots
    itself (`@odata.nextLink`) is taken whole."""
    if isinstance(body, dict) and dotted in body:
        return body[dotted]
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

    def advance(self, body: Any, count: int = 0) -> None:
        token = _at(body, self.token_field)
        if token in (None, ""):
            self.has_more = False
            return
        if isinstance(token, bool) or not isinstance(token, (str, int)):
            raise PagingLoop(f"the next page's token at {self.token_field!r} is not a plain value")
        if str(token) in self._seen:
            raise PagingLoop(f"page token {token!r} came back twice")
        self._seen.add(str(token))
        self.token = token


class PageNumberPaginator:
    """Counts pages 1, 2, ... until the response's number of pages (`total_field`) is reached, or, where the
    API gives none, until a page holds fewer records than asked for."""

    def __init__(self, total_field: str = "total_pages", size: int = 100, first: int = 1):
        self.total_field, self.size = total_field, size
        self.token = first
        self.has_more = True
        self.announced: int | None = None  # the number of pages the first page announced

    def advance(self, body: Any, count: int = 0) -> None:
        if self.total_field:
            total = _at(body, self.total_field)
            if self.announced is None and isinstance(total, int):
                self.announced = total
            self.has_more = isinstance(total, int) and self.token < total
            if self.has_more and self.announced is not None and self.token >= self.announced:
                # Each page announcing one more is a listing that never ends; a real one grown meanwhile is
                # read whole by the next pass.
                raise PagingLoop(f"page {self.token} announces {total} pages, but the first page announced "
                                 f"{self.announced}")
        else:
            self.has_more = count >= self.size
        if self.has_more:
            self.token += 1


class OffsetPaginator:
    """Counts records from 0 in steps of what each page held (`from`/`count`), until the response's total
    (`total_field`) is reached or a page comes back short."""

    def __init__(self, total_field: str, size: int):
        self.total_field, self.size = total_field, size
        self.token = 0
        self.has_more = True
        self.announced: int | None = None  # the number of records the first page announced

    def advance(self, body: Any, count: int = 0) -> None:
        total = _at(body, self.total_field) if self.total_field else None
        if self.announced is None and isinstance(total, int):
            self.announced = total
        self.token += count
        if count < 1 or (isinstance(total, int) and self.token >= total) or (total is None and count < self.size):
            self.has_more = False
        elif self.announced is not None and self.token >= self.announced:
            raise PagingLoop(f"{self.token} records read and the answer announces {total}, but the first page "
                             f"announced {self.announced}")
