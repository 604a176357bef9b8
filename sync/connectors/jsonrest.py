"""A configurable JSON REST connector: MemberCare, Custom CRM, Custom PMS, and every other system.

A `JsonRestApi` declares the wire: base URL, paths per entity (derived from the entity name
when not given: `Customers (human data)` -> `/customers-human-data`),
id and updated-at fields, where the records of a list sit, the page style, the auth style,
and what the API offers beyond list, get, create and update: an incremental-read parameter,
an idempotency header, conditional updates (`PATCH` with `If-Match: <version last read>`,
a 412 meaning someone else wrote first). Errors are `{"error": {"code", "message"}}`.

No public API description exists for MemberCare, Custom CRM or Custom PMS: these declarations
are the one description of their wire conventions, read by this connector and by
`sync.fakes.jsonrest`. Their fields are whatever a mapping writes, declared to the fake when a
harness is made (anything else is refused there).

Every other system (HubSpot, Tripletex, ...) is not modelled: it gets `GENERIC`, which offers
only list, get, create and update. A check that passes against it holds for any API offering
those four, whatever else the real one does; one that needed an idempotency key, a conditional
update or a changed-since filter would hold only where the vendor has them, which nobody here
has checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..credentials import AuthStyle, Credentials
from ..names import slug
from .base import RestConnector


@dataclass(frozen=True, slots=True)
class JsonRestApi:
    """The declared shape of one JSON REST API."""

    name: str
    base_url: str = "https://{system}.example.com/api"
    auth: AuthStyle = "bearer"
    id_field: str = "id"
    updated_at_field: str = "updated_at"
    records_location: str = "items"
    page_style: str = "cursor"  # "cursor": body's next_cursor; "page": page numbers to total_pages
    page_size: int = 100
    since_param: str | None = "updated_after"
    idempotency_header: str | None = "Idempotency-Key"
    conditional_writes: bool = True  # PATCH with If-Match; without, an update re-reads the record first
    paths: tuple[tuple[str, str], ...] = field(default=())

    def url(self, system: str) -> str:
        return self.base_url.format(system=slug(system, fallback="system"))

    def with_base_url(self, base_url: str) -> "JsonRestApi":
        return replace(self, base_url=base_url)

    def offers(self) -> tuple[str, ...]:
        """What the API offers beyond list, get, create and update, in a report's words."""
        return tuple(text for present, text in (
            (self.idempotency_header, f"idempotency keys ({self.idempotency_header})"),
            (self.conditional_writes, "conditional updates (If-Match)"),
            (self.since_param, f"a changed-since filter ({self.since_param})"),
        ) if present)


MEMBERCARE = JsonRestApi("MemberCare", base_url="https://{system}.membercare.example/api/v1",
                         updated_at_field="updatedAt", records_location="data", page_style="page")
CUSTOM_CRM = JsonRestApi("Custom CRM", base_url="https://{system}.crm.example/api", auth="basic")
CUSTOM_PMS = JsonRestApi("Custom PMS", base_url="https://{system}.pms.example/api",
                         records_location="results")
# Assumes nothing of an API nobody here has described.
GENERIC = JsonRestApi("generic", since_param=None, idempotency_header=None, conditional_writes=False)


class JsonRestConnector(RestConnector):
    """A RestConnector whose declaration comes from a JsonRestApi value rather than a subclass."""

    def __init__(self, system: str, api: JsonRestApi, credentials: Credentials | None = None, **kwargs: Any):
        self.api = api
        self.id_field = api.id_field
        self.updated_at_field = api.updated_at_field
        self.records_location = api.records_location
        self.page_style = api.page_style
        self.page_size = api.page_size
        self.since_param = api.since_param
        self.idempotency_header = api.idempotency_header
        self.conditional_writes = api.conditional_writes
        if api.page_style == "page":
            self.page_param, self.limit_param = "page", "per_page"
        kwargs.setdefault("paths", dict(api.paths))
        super().__init__(system, credentials, base_url=kwargs.pop("base_url", None) or api.url(system), **kwargs)
