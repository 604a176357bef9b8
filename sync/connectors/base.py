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
import logging
import math
import time
from email.utils import formatdate
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Iterable
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import jsonpatch
import requests

from apis import selection
from apis.description import ApiDescription, resolved
from apis.fields import SCALAR_TYPES, fields_of

from ..credentials import Credentials, Secret
from ..errors import ApiError, CreateOutcomeUnknown, ListFailed, StaleRecord
from ..http import DeadlineExceeded, build_session, deadline, not_replayable
from ..redaction import Redactor
from ..paths import get_path
from .paging import OffsetPaginator, PageNumberPaginator, PagingLoop, TokenPaginator, bounded_pages

log = logging.getLogger("sync.connectors")

REQUEST_SECONDS = 300.0  # a request, its retries and its body must be whole within this (sync-run: request_seconds)
MAX_RESPONSE_BYTES = 64 << 20  # an answer's body, decompressed, at most (sync-run: max_response_bytes)
MAX_REDIRECTS = 5  # within the base URL, for reads only (`_redirected`)
FUTURE_SLACK = 86_400.0  # a change time later than now plus this is no time a record was changed at


class AnswerRefused(ApiError):
    """What an API answered cannot be used (too large, not JSON, the wrong shape, an id that is no id): `where`
    names the system and entity, `detail` what was wrong."""

    def __init__(self, where: str, detail: str, status: int = 200):
        super().__init__(status, f"{where}: {detail}")
        self.args = (self.message,)
        self.where, self.detail = where, detail


class PassDeadline(RuntimeError):
    """The pass ran past its deadline (sync-run: pass_seconds): it stops, and its cursors are not saved."""


def kind_of(value: Any) -> str:
    """A JSON value's kind in a report's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def shown(value: Any, width: int = 60) -> str:
    """A value from an API as a report may show it: JSON, control characters escaped, cut to `width`."""
    try:
        text = json.dumps(value, default=str)
    except (ValueError, RecursionError):
        text = kind_of(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def clip(text: str, width: int = 300) -> str:
    """An API's text as a report keeps it: at most `width` characters."""
    return text if len(text) <= width else text[: width - 1] + "…"


def plain_id(value: Any) -> bool:
    """Whether an API's id is one: a non-empty string or an integer, never an object, a list, null or a boolean."""
    return (isinstance(value, str) and value != "") or (isinstance(value, int) and not isinstance(value, bool))


def sane_time(seconds: float | None) -> bool:
    """Whether a change time could be one: finite, and not later than now (with a day's slack for clocks)."""
    return seconds is None or (math.isfinite(seconds) and seconds <= time.time() + FUTURE_SLACK)


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
        if isinstance(value, float) and not math.isfinite(value):
            return value  # infinite or not a number: `sane_time` refuses it as a cursor
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

    timeout: tuple[float, float] = (5.0, 30.0)  # connect, and each read; `request_seconds` bounds the whole

    def __init__(self, system: str, api: ApiDescription, credentials: Credentials | None = None, *,
                 entity: str | None = None, base_url: str | None = None, session: requests.Session | None = None,
                 paths: dict[str, str] | None = None):
        self.system = system
        self.entity = entity
        self.api = api
        self.request_seconds = REQUEST_SECONDS
        self.max_response_bytes = MAX_RESPONSE_BYTES
        self.pass_deadline: float | None = None  # time.monotonic() by which the current pass must end
        self.pass_seconds: float | None = None
        # (record id, what was wrong) of records a listing found odd but kept; the engine reports them
        self.anomalies: list[tuple[str, str]] = []
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
        self._session_token: str | None = None  # made from named secrets where the API's auth says how
        self._exchanging = False
        self.session = session or build_session()
        self._paths = dict(paths or {})
        self.calls: Counter[str] = Counter()
        self._selected: selection.Tree = {}  # the fields a read asks for, where the API answers only those
        self._wanted: list[str] = []  # the paths told by `wants`, all of them

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
        params: dict[str, Any] = {**self.api.entity(endpoint.entity).list_params, **self.selected()}
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
        if not isinstance(records, list):
            held = f"{kind_of(body)}" if not isinstance(body, dict) else f"{kind_of(records)} at {location!r}"
            raise AnswerRefused(self._where(endpoint.entity),
                                f"the list answer holds no {location!r} list of records (it is {held})")
        return self.objects(endpoint.entity, records)

    def objects(self, entity: str, records: list[Any]) -> list[dict]:
        """`records` if each is an object, else AnswerRefused naming the first that is not."""
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise AnswerRefused(self._where(entity), f"record {index + 1} of the page is {kind_of(record)} "
                                                         f"({shown(record)}), not an object")
        return records

    def parse_record(self, endpoint: Endpoint, body: Any) -> dict:
        record = get_path(body, self.api.record) if self.api.record and isinstance(body, dict) else body
        if not isinstance(record, dict):
            under = f" under {self.api.record!r}" if self.api.record else ""
            raise AnswerRefused(self._where(endpoint.entity), f"the answer holds no record{under} (it is "
                                                              f"{kind_of(record)}, not an object)")
        self.record_id(record)  # an id that is no id is refused here, before anything is kept
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
        """Told the dotted paths its mapping reads, for an API that returns only the fields asked for: where the
        description has a `[selection]` (Tripletex's `fields`), every list and get asks for them, with the id and
        the version a write carries; a path the vendor's schema lacks is not asked for (the API would refuse it)."""
        if self.api.selection is None or self.entity is None:
            return
        fields = fields_of(self.api, self.api.entity(self.entity))
        self._wanted += [path for path in paths if path and (fields is None or fields.find(path) is not None)]
        self._selected = selection.tree_of([self.id_field, *filter(None, [self.api.writes.version_field]),
                                            *self._wanted])

    def selected(self) -> dict[str, str]:
        """The read parameter asking for the fields wanted (`{"fields": "id,version,name"}`), or none."""
        if self.api.selection is None or not self._selected:
            return {}
        return {self.api.selection.param: selection.text_of(self._selected)}

    def as_selected(self, entity: str, record: dict) -> dict:
        """A write's answer as a read with the selection answers it: cut down to what is asked for, or, where it
        holds a reference to an object the selection asks into (a write takes no selection), read again."""
        if self.api.selection is None or not self._selected:
            return record
        if selection.as_reference(record, self._selected, self.api.selection.reference):
            try:
                return self.get_record(entity, self.record_id(record))
            except (ApiError, requests.RequestException):
                pass  # the write landed and its id is enough to link; the next pass reads the record whole
        return selection.project(record, self._selected)

    def field_type(self, entity: str, path: str) -> str | None:
        """The type the vendor's own schema gives `path` (HubSpot: every property a string; Tripletex: a
        country's id an integer), so the engine writes and compares the wire form; None where no schema says."""
        fields = fields_of(self.api, self.api.entity(entity))
        found = fields.find(path) if fields else None
        return found.type if found is not None and found.type in SCALAR_TYPES else None

    def container_type(self, entity: str, path: str) -> str | None:
        """"object" or "array" where the vendor's own schema says what `path` holds (HubSpot's `properties` is
        one object, SuperOffice's `Emails` a list), None where no schema says."""
        fields = fields_of(self.api, self.api.entity(entity))
        found = fields.find(path) if fields else None
        return found.type if found is not None and found.type in ("object", "array") else None

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
        """The record's id as text; "" when it has none; AnswerRefused for an id that is not a plain value (an
        object or a list would be put into paths and the state as its Python text)."""
        value = record.get(self.id_field, "")
        if value == "":
            return ""
        if not plain_id(value):
            raise AnswerRefused(self._where(), f"a record's id {self.id_field!r} is {kind_of(value)} "
                                               f"({shown(value)}), not a plain value")
        return str(value)

    def checked(self, entity: str, records: list[dict]) -> list[dict]:
        """Listed records, each with a plain id (AnswerRefused naming the first without one)."""
        for record in records:
            value = record.get(self.id_field)
            if not plain_id(value):
                got = "no id" if value in (None, "") else f"{kind_of(value)} ({shown(value)}) as its id"
                raise AnswerRefused(self._where(entity), f"a listed record has {got} at {self.id_field!r}, "
                                                         "not a plain value")
        return records

    def newest(self, entity: str, stamped: Iterable[tuple[str, Any]], since: Any) -> Any:
        """The cursor after a listing: the newest sane change time of (record id, stamp) pairs, else `since`.
        A time that is infinite, not a number, or in the future is kept out of it and reported (`anomalies`):
        as a cursor it would hide every later change for good."""
        newest, best, unreadable = None, -math.inf, None
        for rid, stamp in stamped:
            if stamp is None or stamp == "":
                continue
            seconds = timestamp(stamp)
            if seconds is None:
                unreadable = stamp if unreadable is None else unreadable  # as before: an API's own format
                continue
            if not sane_time(seconds):
                self.anomalies.append((rid, f"{self._where(entity)} {rid}: its {self.updated_at_field} {shown(stamp)} "
                                            "is not a sane time (infinite, not a number, or in the future); the "
                                            "record is kept, the cursor does not move past it"))
                continue
            if seconds > best:
                newest, best = stamp, seconds
        if newest is not None:
            return newest
        return unreadable if unreadable is not None else since

    def take_anomalies(self) -> list[tuple[str, str]]:
        found, self.anomalies = self.anomalies, []
        return found

    def _where(self, entity: str | None = None) -> str:
        return f"{self.system} {entity or self.entity or 'records'}"

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
        if since is not None and not sane_time(timestamp(since)):
            since = None  # a cursor kept by an earlier version: read everything rather than nothing ever again
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
                page = self.checked(entity, self.parse_page(endpoint, body))
                records.extend(page)
                paginator.advance(body, len(page))
        except (ApiError, PagingLoop, requests.RequestException) as exc:
            raise ListFailed(f"listing {self.system} {entity} failed: {describe_failure(exc)}") from None
        return records, self.newest(entity, ((self.record_id(r), self._stamp_of(r)) for r in records), since)

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
        selected = self.selected()
        return self.parse_record(endpoint, self._send("get", "GET", self.item_path(endpoint, rid),
                                                      **({"params": selected} if selected else {})))

    def create_record(self, entity: str, body: dict, idempotency_key: str | None = None) -> dict:
        """The created record. Without an idempotency header, a create is never resent blindly: a 5xx or a
        lost answer raises CreateOutcomeUnknown, since the API may have made the record."""
        endpoint = self.endpoint(entity)
        send = partial(self._send, "create", "POST", endpoint.path, headers=self._idempotency(idempotency_key),
                       **self.encode_write(endpoint, self.prepare_create(endpoint, body, idempotency_key)))
        if self.idempotency_header:
            return self._created(endpoint, send())
        try:
            with not_replayable():
                return self._created(endpoint, send())
        except ApiError as exc:
            if exc.status < 500:
                raise
            raise CreateOutcomeUnknown(exc.status, exc.message, exc.code) from None
        except requests.ConnectTimeout:
            raise  # never reached the API
        except requests.RequestException as exc:
            said = str(exc) if isinstance(exc, DeadlineExceeded) else type(exc).__name__
            raise CreateOutcomeUnknown(0, f"no answer ({said})") from None

    def _created(self, endpoint: Endpoint, body: Any) -> dict:
        """The record a create answered, which must carry its id: linked to an empty id, the source would be
        synchronized into nothing, and created again by no one."""
        record = self.parse_record(endpoint, body)
        if not self.record_id(record):
            raise AnswerRefused(self._where(endpoint.entity), f"the created record holds no id at {self.id_field!r}")
        return self.as_selected(endpoint.entity, record)

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
        return self.as_selected(entity, record) if record is not seen else record

    def _conditional(self, seen: dict, headers: dict[str, str], body: dict) -> dict:
        """The write made conditional on `seen`, as the API does it: `If-Match` with its version or ETag,
        `If-Unmodified-Since` with its change time, or its version in the body."""
        style, field = self.conditional_style, self.api.writes.version_field
        if style == "if-match":
            headers["If-Match"] = self.version(seen)
        elif style == "if-unmodified-since":
            stamp = self.updated_at(seen)
            if stamp is not None and sane_time(stamp):  # formatdate cannot write an infinite or NaN time
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
        further = {header: creds.secret(name).reveal() for header, name in auth.headers}  # a subscription key
        if creds.style == "bearer" and not self._exchanging:  # the token request itself carries no token
            # The description's session makes the token where the config gives none (PowerOffice Go's OAuth).
            return {auth.header: f"{auth.prefix}{creds.token.reveal() or self._made_password()}", **further}
        return further

    def _auth(self) -> tuple[str, str] | None:
        creds, session = self._credentials, self.api.auth.session
        if self._exchanging:  # the session request carries the named secrets, in basic auth where it says so
            return session.filled_basic(lambda name: creds.secret(name).reveal()) if session else None
        if creds.style != "basic":
            return None
        # The description's fixed user where the config gives none (Tripletex's "0": its session token is the password).
        return creds.user.reveal() or self.api.auth.user, creds.password.reveal() or self._made_password()

    def _made_password(self) -> str:
        """The password or token the API's session request makes from the named secrets (Tripletex's session
        token, PowerOffice Go's OAuth access token), asked for once per connector; "" where the API has none."""
        session = self.api.auth.session
        if session is None:
            return ""
        if self._session_token is None:
            creds = self._credentials
            secret = lambda name: creds.secret(name).reveal()  # noqa: E731
            params = session.filled(secret, (date.today() + timedelta(days=1)).isoformat())
            form = session.filled_form(secret)
            basic = session.filled_basic(secret)
            if basic is not None:  # an API may echo the Basic header it was sent: its Base64 too is masked
                self.redactor.absorb(Redactor.of([replace(creds, user=Secret(basic[0]), password=Secret(basic[1]))]))
            self._exchanging = True
            try:
                body = self._send("auth", session.method, session.path, params=params,
                                  **({"data": form} if form else {}))
            finally:
                self._exchanging = False
            token = (body.get(session.token) if isinstance(body, dict) and session.token in body else
                     get_path(body, session.token) if isinstance(body, dict) else None)
            if not isinstance(token, str) or not token:
                raise AnswerRefused(self._where(), f"the session answer holds no token at {session.token!r}")
            self._session_token = token
            # Every form of it, the Basic header's Base64 of "<user>:<token>" too, an API may echo either.
            user = creds.user.reveal() or self.api.auth.user
            self.redactor.absorb(Redactor.of([replace(creds, user=Secret(user), password=Secret(token))],
                                             public=[user] if self.api.auth.user else []))
        return self._session_token

    def _send(self, kind: str, method: str, path: str, *, headers: dict[str, str] | None = None,
              **kwargs: Any) -> Any:
        try:
            return self._send_once(kind, method, path, headers=headers, **kwargs)
        except ApiError as error:
            if error.status != 401 or self._session_token is None or self._exchanging:
                raise
            # A session token made earlier has expired (a run over midnight, a long --passes): one new session,
            # then the request once more; a second 401 is the API's answer.
            self._session_token = None
            return self._send_once(kind, method, path, headers=headers, **kwargs)

    def _send_once(self, kind: str, method: str, path: str, *, headers: dict[str, str] | None = None,
                   **kwargs: Any) -> Any:
        self.calls[kind] += 1
        if log.isEnabledFor(logging.DEBUG):  # redacting is not free; a corpus-scale test suite sends 600,000 requests
            log.debug("%s %s", method, self.redactor(self.base_url + path))  # never headers: they hold credentials
        now = time.monotonic()
        at, by_pass = now + self.request_seconds, False
        if self.pass_deadline is not None and self.pass_deadline <= at:
            at, by_pass = self.pass_deadline, True
            if at <= now:
                raise PassDeadline(self._past_pass())
        with deadline(at) as watch:
            try:
                url = resolved(self.base_url, path)
                for _ in range(MAX_REDIRECTS + 1):
                    # Streamed, so the body is read under the deadline and its size counted as it inflates.
                    response = self.session.request(method, url, headers={**self._auth_headers(), **(headers or {})},
                                                    auth=self._auth(), timeout=self.timeout, stream=True,
                                                    allow_redirects=False, **kwargs)
                    if not response.is_redirect:
                        break
                    response.close()
                    url = self._redirected(method, url, response)
                    kwargs.pop("params", None)  # the new address carries its own query
                else:
                    raise AnswerRefused(self._where(), f"more than {MAX_REDIRECTS} redirects; not followed further")
                try:
                    self._read_body(response)
                finally:
                    response.close()
                if watch.expired:  # a body cut off by the deadline can look whole (it ends where the socket did)
                    raise DeadlineExceeded("the deadline passed")
            except requests.RequestException as exc:
                if watch.expired or isinstance(exc, DeadlineExceeded):
                    if by_pass:
                        raise PassDeadline(self._past_pass()) from None
                    raise DeadlineExceeded(f"{self._where()}: no whole answer within {self.request_seconds:g} s "
                                           "(the request's deadline)") from None
                raise self.redactor.scrub(exc) from None
        if response.status_code >= 400:
            try:
                error = self.error_of(response)
            except RecursionError:
                error = ApiError(response.status_code, str(response.reason or "error"))
            error = self.redactor.scrub(error)  # before it is cut: a secret cut in two would no longer be found
            # The API's own words, cut short: an error body may hold megabytes, and the report shows every one.
            raise type(error)(error.status, clip(error.message), None if error.code is None else clip(error.code),
                              retriable=error.retriable) from None
        if response.status_code == 204:
            return None  # no content: an empty list page (PowerOffice Go), or a write that answers nothing
        try:
            body = response.json()
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's JSON reader goes
            raise AnswerRefused(self._where(), "the answer is not JSON (or nested too deeply to read)",
                                response.status_code) from None
        if body is None and kind == "list":  # only a 204 is an empty page; `null` is no list of records
            raise AnswerRefused(self._where(), "the list answer is null, not a list of records", response.status_code)
        return body

    def _redirected(self, method: str, url: str, response: requests.Response) -> str:
        """Where a redirect leads, followed only by a read and only within the base URL: requests would follow
        one anywhere, with headers holding credentials (it drops only `Authorization`, and only for another host)."""
        target = urljoin(url, response.headers["Location"])
        if method not in ("GET", "HEAD"):
            raise AnswerRefused(self._where(), f"a {method} was answered {response.status_code}, a redirect; a write "
                                               "is never sent again elsewhere", response.status_code)
        try:
            self._next_link(target)
        except (ApiError, ValueError):
            raise AnswerRefused(self._where(), f"the answer {response.status_code} redirects outside the API's base URL; "
                                               "not followed (the request carries credentials)",
                                response.status_code) from None
        return target

    def _read_body(self, response: requests.Response) -> None:
        """Reads the body, decompressed, into the response; AnswerRefused past `max_response_bytes`, counted as
        it inflates, so a small gzip body that would inflate to a gigabyte is refused after the limit's worth."""
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        too_large = AnswerRefused(self._where(), f"the answer is larger than {limit} bytes (after decompression); "
                                                 "refused", response.status_code)
        if declared.isdigit() and int(declared) > limit and not response.headers.get("Content-Encoding"):
            raise too_large
        chunks, size = [], 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what .json() and .text read, as if requests had read it
        response._content_consumed = True

    def _past_pass(self) -> str:
        return f"{self._where()}: the pass went past its deadline of {self.pass_seconds:g} s (pass_seconds)"


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, AnswerRefused):
        return exc.detail  # the listing's message names the system and entity already
    if isinstance(exc, DeadlineExceeded):
        return str(exc).partition(": ")[2] or str(exc)
    if isinstance(exc, (ApiError, PagingLoop)):
        return str(exc)
    return type(exc).__name__
