"""Business Central (API v2.0): what its description cannot say as data.

OData's control information travels in keys that hold a dot: a record's `@odata.etag` and a list's
`@odata.nextLink` are one key each, where a description's dotted paths would read `{"@odata": {"etag": ...}}`.
Everything else (the company-scoped base URL, `{path}({id})` keys, `value` lists, `$filter` on
`lastModifiedDateTime`, PATCH with If-Match) is `apis/businesscentral/api.toml`.
"""
from __future__ import annotations

from typing import Any

from .base import RestConnector
from .paging import PagingLoop


class NextLinkPaginator:
    """Follows the link a page holds under one key (`@odata.nextLink`); none = last page."""

    def __init__(self, key: str):
        self.key = key
        self.token: Any = None
        self.has_more = True
        self._seen: set[str] = set()

    def advance(self, body: Any, count: int = 0) -> None:
        link = body.get(self.key) if isinstance(body, dict) else None
        if link in (None, ""):
            self.has_more = False
            return
        if str(link) in self._seen:
            raise PagingLoop(f"next link {link!r} came back twice")
        self._seen.add(str(link))
        self.token = link


class BusinessCentralConnector(RestConnector):
    """The described REST connector, reading `@odata.etag` and `@odata.nextLink` as the single keys they are."""

    def version(self, record: dict) -> str:
        """The record's ETag (`@odata.etag`), which an update sends back in If-Match."""
        etag = record.get(self.api.writes.version_field) if self.api.writes.version_field else None
        return str(etag) if etag is not None else super().version(record)

    def _paginator(self) -> NextLinkPaginator:  # type: ignore[override]
        return NextLinkPaginator(self.api.paging.token)


CONNECTOR = BusinessCentralConnector
