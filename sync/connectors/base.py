"""A REST connector driven by its system's API description, with small hooks for the odd API.

The description (`apis/<system>/api.toml`) gives the base URL and auth, the records location,
the paginator, the id and updated-at fields, the changed-since filter, the write verbs and body
style, idempotency and conditional writes, and the error format. A vendor's quirks (HubSpot's
string properties, Chargebee's form bodies) override a hook (`list_params`, `parse_page`,
`parse_record`, `encode_write`, `write_routes`, `error_of`) in a small subclass. The engine sees
five operations: list (incremental), get, create, update, and the id and updated-at of a record.
"""
from __future__ import annotations

import hashlib
import json
from email.utils import formatdate
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Iterable
from urllib.parse import parse_qsl, quote, urlsplit

import jsonpatch
import requests

from apis.description import ApiDescription
from apis.fields import SCALAR_TYPES, fields_of

from ..credentials import Credentials
from ..errors import ApiError, CreateOutcomeUnknown, ListFailed, StaleRecord
from ..http import build_session, not_replayable
from ..redaction import Redactor
from ..paths import get_path
from .paging import OffsetPaginator, PageNumberPaginator, PagingLoop, TokenPaginator, bounded_pages

log = logging.getLogger("sync.connectors")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where one entity lives in an API: its collection path and, if enveloped, its object key."""

    entity: str
    path: str
    object_key: str = ""
    list_path: str = ""  # where listing differs from the collection path

    @property
    def listing(self) -> str:
        return self.list_path or self.path


OPERATION_WORDS = {"list": "list", "retrieve": "retrieve", "create": "create", "update": "update"}


def timestamp(value: Any) -> float | None:
    """An updated-at value (Unix seconds, milliseconds or ISO-8601 text) as Unix seconds."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) / 1000 if value > 10**11 else float(value)
    if isinstance(value, str):
        try:
            return timestamp(float(value))
        except ValueError:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
    return None


class RestConnector:
    """A system's API as its description (`apis/<system>/api.toml`) says, and the operations the engine needs.

    `entity` is the entity this connector serves (one side of one mapping): the id and updated-at
    fields may differ between an API's entities (MemberCare's persons are keyed by account number).
    """

    timeout: tuple[float, float] = (5.0, 30.0)

    def __init__(self, system: str, api: ApiDescription, credentials: Credentials | None = None, *,
                 entity: str | None = None, base_url: str | None = None, session: requests.Session | None = None,
                 paths: dict[str, str] | None = None):
        self.system = system
        self.api = api
        self.base_url = (base_url or api.url(system)).rstrip("/")
        focus = api.entity(entity) if entity else None
        incremental = api.incremental_of(focus) if focus else api.incremental
        self.id_field = api.id_of(focus) if focus else api.id_field
        self.updated_at_field: str | None = incremental.field
        self.since_param = incremental.param
        self.since_overlap = incremental.overlap
        self._since_value = incremental.param_value
        self.idempotency_header = api.writes.idempotency_header
        # how the API refuses a write planned on a stale read, if it does
        self.conditional_style = api.conditional_of(focus) if focus else api.writes.conditional
        self.conditional_writes = self.conditional_style is not None
        self.client_ids = api.writes.client_ids
        self._credentials = credentials or Credentials()
        self._credentials.check_sendable(system)
        # Errors, logs and reprs pass through it: an API may echo the credentials it was sent.
        self.redactor = Redactor.of([self._credentials], urls=[self.base_url],
                                    public=[api.auth.user] if api.auth.user else [])
        self.session = session or build_session()
        self._paths = dict(paths or {})
        self.calls: Counter[str] = Counter()

    def __repr__(self) -> str:
        return self.redactor(f"{type(self).__name__}(system={self.system!r}, base_url={self.base_url!r})")

    # hooks
    def endpoint(self, entity: str) -> Endpoint:
        """Where an entity lives: a configured path, else the description's (an entity it does not name
        is reached by the API's conventions: `Customers (human data)` -> `/customers-human-data`)."""
        described = self.api.entity(entity)
        return Endpoint(entity, self._paths.get(entity) or described.path, described.object_key, described.list_path)

    def list_params(self, endpoint: Endpoint, since: Any, token: Any) -> dict[str, Any]:
        paging = self.api.paging
        params: dict[str, Any] = dict(self.api.entity(endpoint.entity).list_params)
        if paging.size_param:
            params[paging.size_param] = paging.max_size
        if since is not None and self.since_param:
            params[self.since_param] = self._since_value.format(since=since)
        if token is not None and paging.param:
            params[paging.param] = token
        return params

    def parse_page(self, endpoint: Endpoint, body: Any) -> list[dict]:
        location = self.api.records
        if body is None:
            return []
        records = get_path(body, location) if location and isinstance(body, dict) else body
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ApiError(200, f"list response has no {location!r} list of records")
        return records

    def parse_record(self, endpoint: Endpoint, body: Any) -> dict:
        record = get_path(body, self.api.record) if self.api.record and isinstance(body, dict) else body
        if not isinstance(record, dict):
            raise ApiError(200, f"the answer holds no record{f' under {self.api.record!r}' if self.api.record else ''}")
        return record

    def item_path(self, endpoint: Endpoint, rid: str) -> str:
        """One record's path, its id percent-encoded: an id is data from the API, never a path of its own."""
        return self.api.item_path.format(path=endpoint.path, id=quote(str(rid), safe=""))

    def encode_write(self, endpoint: Endpoint, body: dict) -> dict[str, Any]:
        """The keyword arguments of requests that carry a write body."""
        return {"json": body}

    def write_routes(self, endpoint: Endpoint, rid: str, changes: dict, record: dict) -> list[tuple[str, str, dict]]:
        """(method, path, body) requests that together apply `changes` to `record` as last read."""
        return [(self.api.writes.update_method, self.item_path(endpoint, rid), changes)]

    def prepare_create(self, endpoint: Endpoint, body: dict, idempotency_key: str | None) -> dict:
        """The body a create sends (an API that wants a client-chosen id gets one here)."""
        return body

    def unsupported(self, entity: str, operation: str, fields: tuple[str, ...] = ()) -> str | None:
        """Why this API cannot `operation` ("list", "retrieve", "create", "update") an `entity` whose
        writes hold `fields`, in words a report can show; None when it can. The checks read it and
        report the items not verifiable rather than anyone inventing an endpoint."""
        described = self.api.entity(entity)
        if operation in described.operations:
            return None
        if described.unmodelled:
            return f"{self.api.name} {entity} is not modelled in this product yet: {described.unmodelled}"
        missing = described.lacks or f"{OPERATION_WORDS.get(operation, operation)} of {entity}"
        return f"{self.api.name}'s API has no {missing}"

    def wants(self, paths: Iterable[str]) -> None:
        """Told the dotted paths its mapping reads, for an API that returns only the fields asked for."""

    def field_type(self, entity: str, path: str) -> str | None:
        """The type the vendor's own schema gives `path` (HubSpot: every property a string; Tripletex: a
        country's id an integer), so the engine writes and compares the wire form; None where no schema says."""
        fields = fields_of(self.api, self.api.entity(entity))
        found = fields.find(path) if fields else None
        return found.type if found is not None and found.type in SCALAR_TYPES else None

    def allowed_values(self, entity: str, path: str) -> tuple[str, ...] | None:
        """The only values the API takes at `path` of an `entity` (an enum), or None if it takes any."""
        return None

    def error_of(self, response: requests.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = self.api.errors
        message = get_path(body, errors.message) if isinstance(body, dict) else None
        code = get_path(body, errors.code) if isinstance(body, dict) else None
        stale = response.status_code in errors.stale and self.conditional_writes
        return (StaleRecord if stale else ApiError)(
            response.status_code, str(message or response.reason or "error"), None if code is None else str(code),
            retriable=response.status_code in (429, 500, 502, 503, 504))

    # what the engine uses
    def record_id(self, record: dict) -> str:
        return str(record.get(self.id_field, ""))

    def updated_at(self, record: dict) -> float | None:
        return timestamp(get_path(record, self.updated_at_field)) if self.updated_at_field else None

    def version(self, record: dict) -> str:
        """What identifies this state of a record: its version or ETag, else its updated-at, else a hash of its fields."""
        field = self.api.writes.version_field
        if field and get_path(record, field) is not None:
            return str(get_path(record, field))
        stamp = get_path(record, self.updated_at_field) if self.updated_at_field else None
        if stamp is not None:
            return str(stamp)
        return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def list_records(self, entity: str, since: Any = None) -> tuple[list[dict], Any]:
        """Every record changed after `since` (all when None), and the cursor for next time."""
        endpoint = self.endpoint(entity)
        paginator = self._paginator()
        records: list[dict] = []
        edge = since
        if since is not None and self.since_overlap:
            edge = since - self.since_overlap
        try:
            for _ in bounded_pages():
                if not paginator.has_more:
                    break
                path, params = endpoint.listing, self.list_params(endpoint, edge, paginator.token)
                if self.api.paging.style == "next_link" and paginator.token is not None:
                    path, params = self._next_link(str(paginator.token))
                body = self._send("list", "GET", path, params=params)
                page = self.parse_page(endpoint, body)
                records.extend(page)
                paginator.advance(body, len(page))
        except (ApiError, PagingLoop, requests.RequestException) as exc:
            raise ListFailed(f"listing {self.system} {entity} failed: {describe_failure(exc)}") from None
        stamps = [stamp for stamp in map(self._stamp_of, records) if stamp is not None]
        cursor = max(stamps, key=lambda s: timestamp(s) or 0) if stamps else since
        return records, cursor

    def _next_link(self, link: str) -> tuple[str, dict[str, str]]:
        """The path and query of a next-page link, which must stay within this API's base URL
        (a link elsewhere would carry the credentials to whoever the API names)."""
        parts, base = urlsplit(link), urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not (
                parts.path == base.path or parts.path.startswith(base.path.rstrip("/") + "/")):
            raise ApiError(200, "the next page's link leaves the API's base URL")
        return parts.path[len(base.path.rstrip("/")):], dict(parse_qsl(parts.query, keep_blank_values=True))

    def _stamp_of(self, record: dict) -> Any:
        return get_path(record, self.updated_at_field) if self.updated_at_field else None

    def get_record(self, entity: str, rid: str) -> dict:
        endpoint = self.endpoint(entity)
        return self.parse_record(endpoint, self._send("get", "GET", self.item_path(endpoint, rid)))

    def create_record(self, entity: str, body: dict, idempotency_key: str | None = None) -> dict:
        """The created record. Without an idempotency header, a create is never resent blindly: a 5xx or a
        lost answer raises CreateOutcomeUnknown, since the API may have made the record."""
        endpoint = self.endpoint(entity)
        send = partial(self._send, "create", "POST", endpoint.path, headers=self._idempotency(idempotency_key),
                       **self.encode_write(endpoint, self.prepare_create(endpoint, body, idempotency_key)))
        if self.idempotency_header:
            return self.parse_record(endpoint, send())
        try:
            with not_replayable():
                return self.parse_record(endpoint, send())
        except ApiError as exc:
            if exc.status < 500:
                raise
            raise CreateOutcomeUnknown(exc.status, exc.message, exc.code) from None
        except requests.ConnectTimeout:
            raise  # never reached the API
        except requests.RequestException as exc:
            raise CreateOutcomeUnknown(0, f"no answer ({type(exc).__name__})") from None

    def update_record(self, entity: str, rid: str, changes: dict, seen: dict,
                      idempotency_key: str | None = None) -> dict:
        """Applies `changes` if the record is still as `seen`; StaleRecord (with the fresh one) if not."""
        endpoint = self.endpoint(entity)
        if not self.conditional_writes:
            current = self.get_record(entity, rid)
            if self.version(current) != self.version(seen):
                raise StaleRecord(409, "record changed since it was read", "stale")
        record: dict = seen
        for index, (method, path, part) in enumerate(self.write_routes(endpoint, rid, changes, seen)):
            headers = self._idempotency(f"{idempotency_key}-{index}" if idempotency_key else None)
            if index == 0:  # the first write carries the version it was planned against
                part = self._conditional(seen, headers, part)
            encoded = self.encode_update(endpoint, part, seen)
            headers.update(encoded.pop("headers", {}))
            record = self.parse_record(endpoint, self._send("update", method, path, headers=headers, **encoded))
        return record

    def _conditional(self, seen: dict, headers: dict[str, str], body: dict) -> dict:
        """The write made conditional on `seen`, as the API does it: `If-Match` with its version or ETag,
        `If-Unmodified-Since` with its change time, or its version in the body."""
        style, field = self.conditional_style, self.api.writes.version_field
        if style == "if-match":
            headers["If-Match"] = self.version(seen)
        elif style == "if-unmodified-since":
            stamp = self.updated_at(seen)
            if stamp is not None:
                headers["If-Unmodified-Since"] = formatdate(stamp, usegmt=True)
        elif style == "version-field" and field:
            body = {**body, field: get_path(seen, field)}
        return body

    def encode_update(self, endpoint: Endpoint, body: dict, seen: dict) -> dict[str, Any]:
        """The keyword arguments of requests that carry an update: the body as `encode_write` puts it, or,
        for an API that takes JSON Patch, the operations that turn what was read into what is wanted."""
        if self.api.writes.update_style != "json_patch":
            return self.encode_write(endpoint, body)
        wanted = {**seen, **body}
        operations = jsonpatch.make_patch({k: seen.get(k) for k in body}, {k: wanted[k] for k in body}).patch
        return {"data": json.dumps(operations), "headers": {"Content-Type": "application/json-patch+json"}}

    # plumbing
    def _paginator(self) -> TokenPaginator | PageNumberPaginator | OffsetPaginator:
        paging = self.api.paging
        if paging.style == "page":
            return PageNumberPaginator(paging.total, paging.max_size)
        if paging.style == "from":
            return OffsetPaginator(paging.total, paging.max_size)
        return TokenPaginator(paging.token)

    def _idempotency(self, key: str | None) -> dict[str, str]:
        return {self.idempotency_header: key} if key and self.idempotency_header else {}

    def _auth_headers(self) -> dict[str, str]:
        creds, auth = self._credentials, self.api.auth
        if creds.style == "bearer":
            return {auth.header: f"{auth.prefix}{creds.token.reveal()}"}
        return {}

    def _auth(self) -> tuple[str, str] | None:
        creds = self._credentials
        return (creds.user.reveal(), creds.password.reveal()) if creds.style == "basic" else None

    def _send(self, kind: str, method: str, path: str, *, headers: dict[str, str] | None = None,
              **kwargs: Any) -> Any:
        self.calls[kind] += 1
        if log.isEnabledFor(logging.DEBUG):  # redacting is not free; a corpus-scale test suite sends 600,000 requests
            log.debug("%s %s", method, self.redactor(self.base_url + path))  # never headers: they hold credentials
        try:
            response = self.session.request(method, self.base_url + path, headers={**self._auth_headers(),
                                            **(headers or {})}, auth=self._auth(), timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise self.redactor.scrub(exc) from None
        if response.status_code >= 400:
            raise self.redactor.scrub(self.error_of(response)) from None
        if response.status_code == 204:
            return None  # no content: an empty list page (PowerOffice Go), or a write that answers nothing
        try:
            return response.json()
        except ValueError:
            raise ApiError(response.status_code, "response is not JSON") from None


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, (ApiError, PagingLoop)):
        return str(exc)
    return type(exc).__name__
