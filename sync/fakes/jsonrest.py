"""A stateful fake of a JSON REST API as its description says (MemberCare, Custom CRM, Custom PMS, any other).

It serves exactly what `apis/<system>/api.toml` says: the entities and their paths, the records
location, the paginator (`next_cursor` tokens, page numbers with `total_pages`, or a next-page
link), the updated-at field (or none), the auth header, and only where described the
changed-since parameter, the idempotency header and `PATCH` with `If-Match` answered by 412 when
the record has moved on: an API that does not describe them ignores those headers, as a real
one would, and refuses the parameter. Errors are `{"error": {"code", "message"}}`.

No public description of these systems' APIs exists, so their fields are what the harness
declares at serve time (the paths a mapping reads and writes, with the mapping's types): a
write holding any other field, or a declared field of the wrong JSON type, is refused with a
400 naming it, and nothing is stored.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from apis.description import ApiDescription, EntityApi

from ..paths import deep_merge
from . import wiretypes
from .base import FakeApi, Reply, Route, UnexpectedRequest, WireRequest, basic_user


def error(status: int, code: str, message: str) -> Reply:
    return status, {}, {"error": {"code": code, "message": message}}


class FakeJsonRest(FakeApi):
    """One JSON REST system's API, holding its records in SQLite."""

    def __init__(self, *args: Any, api: ApiDescription, secret: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api = api
        self.idempotency_header = api.writes.idempotency_header
        self._secret = secret

    def serve_all(self) -> None:
        for entity in self.api.entities.values():
            if entity.operations:
                self.serve(Route(entity.key, entity.path))
        self.serve_any = self.api.unknown_entities != "none"

    def described(self, entity: str) -> EntityApi:
        return self.api.entity(entity)

    def id_field_of(self, entity: str) -> str:
        return self.api.id_of(self.described(entity))

    def updated_at_of(self, entity: str) -> str | None:
        return self.api.incremental_of(self.described(entity)).field

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        field = self.updated_at_of(entity)
        if field:
            doc[field] = _as_time(stamp, self.api.incremental_of(self.described(entity)).format)
        return doc

    def decode_body(self, request: WireRequest) -> dict:
        if request.method == "GET" or not request.body:
            return {}
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise UnexpectedRequest(f"{self.system} takes JSON bodies, got {request.headers.get('Content-Type')!r}")
        try:
            body = json.loads(request.body)
        except ValueError as exc:
            raise UnexpectedRequest(f"{self.system} got a body that is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise UnexpectedRequest(f"{self.system} expects a JSON object body")
        return body

    def idempotency_reused(self) -> Reply:
        return error(422, "idempotency_key_reused", f"{self.idempotency_header} was already used for another request")

    def unexpected(self, problem: UnexpectedRequest) -> Reply:
        code = {404: "not_found", 405: "method_not_allowed"}.get(problem.status, "bad_request")
        return error(problem.status, code, str(problem))

    def _fields(self, route: Route, body: dict, current: dict | None = None) -> tuple[dict | None, Reply | None]:
        """The body typed by the declared fields (and those the record already holds), or the 400
        refusing the first undeclared or mistyped one."""
        if route.entity not in self.schema:
            return body, None  # served without a mapping: nothing declares the fields
        held = {path: None for path in wiretypes.held_paths(current)} if current else {}
        declared = {self.id_field_of(route.entity): None, **held, **self.schema[route.entity]}
        try:
            typed, unknown = wiretypes.declared_leaves(body, declared, form=False)
        except wiretypes.WrongType as exc:
            return None, error(400, "wrong_type", str(exc))
        if unknown:
            return None, error(400, "unknown_field", f"{self.system} {route.path} has no field {unknown[0]!r}")
        return typed, None

    def check_auth(self, request: WireRequest) -> Reply | None:
        auth = self.api.auth
        if auth.style == "none":
            return None
        if auth.style == "bearer" and request.headers.get(auth.header, "") == f"{auth.prefix}{self._secret}":
            return None
        if auth.style == "basic" and basic_user(request.headers.get("Authorization", "")) == self._secret:
            return None
        return error(401, "unauthorized", "missing or wrong credentials")

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, _, body = error(429, "rate_limited", "too many requests")
            return status, {"Retry-After": str(self.faults.retry_after)}, body
        return error(int(fault), "server_error", "the server could not answer")

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict, headers: Any) -> Reply:
        described = self.described(route.entity)
        operation = {("GET", 0): "list", ("GET", 1): "retrieve", ("POST", 0): "create",
                     (self.api.writes.update_method, 1): "update"}.get((method, len(rest)))
        if operation is None or operation not in described.operations:
            raise UnexpectedRequest(f"{self.system} has no {method} {route.path}/{'/'.join(rest)}", 405)
        if operation == "list":
            return self._list(route, params)
        if operation == "retrieve":
            doc = self.store.get(route.entity, rest[0])
            return (200, self._etag_header(doc), doc) if doc else error(404, "not_found", f"no record {rest[0]}")
        if operation == "create":
            return self._create(route, body)
        return self._update(route, rest[0], body, headers.get("If-Match"))

    def _etag(self, doc: dict | None, entity: str) -> str:
        field = self.updated_at_of(entity)
        return str((doc or {}).get(field, "")) if field else ""

    def _etag_header(self, doc: dict | None, entity: str = "") -> dict[str, str]:
        return {"ETag": self._etag(doc, entity)} if self.api.writes.conditional == "if-match" and doc else {}

    def _list(self, route: Route, params: dict) -> Reply:
        paging = self.api.paging
        since_param = self.api.incremental_of(self.described(route.entity)).param
        allowed = {paging.size_param, paging.param or "page_token", since_param} - {"", None}
        unknown = set(params) - allowed
        if unknown:
            raise UnexpectedRequest(f"{self.system} list {route.path} got parameters it does not take: {sorted(unknown)}")
        try:
            limit = int(params.get(paging.size_param, paging.max_size)) if paging.size_param else paging.max_size
            after = _stamp_param(params[since_param]) if since_param in params else None
        except ValueError:
            return error(400, "bad_request", f"{paging.size_param} and {since_param} must be a number and a time")
        if not 1 <= limit <= paging.max_size:
            return error(400, "bad_request", f"{paging.size_param} must be between 1 and {paging.max_size}")
        if paging.style == "page":
            page = int(params.get(paging.param, 1))
            total = self.store.count(route.entity, after)
            docs, _ = self.store.page(route.entity, after_stamp=after, position=None,
                                      limit=limit * page, by_stamp=True)
            pages = max(1, -(-total // limit))
            return 200, {}, _enveloped(self.api.records, docs[limit * (page - 1):],
                                       {"page": page, paging.total: pages})
        position = None
        token = params.get(paging.param) if paging.param else params.get("page_token")
        if token:
            try:
                position = tuple(json.loads(base64.urlsafe_b64decode(token.encode())))
            except ValueError:
                return error(400, "bad_request", "the page token is not one this API gave")
        docs, nxt = self.store.page(route.entity, after_stamp=after, position=position, limit=limit, by_stamp=True)
        next_token = base64.urlsafe_b64encode(json.dumps(list(nxt)).encode()).decode() if nxt else None
        if paging.style == "next_link":
            link = f"{self.base_url}{route.path}?{urlencode({**params, 'page_token': next_token})}" if next_token else None
            return 200, {}, _enveloped(self.api.records, docs, {paging.token: link})
        return 200, {}, _enveloped(self.api.records, docs, {paging.token: next_token})

    def _create(self, route: Route, body: dict) -> Reply:
        body, refused = self._fields(route, body)
        if refused:
            return refused
        id_field = self.id_field_of(route.entity)
        rid = str(body[id_field]) if body.get(id_field) not in (None, "") else self.store.new_id(route.entity)
        if self.store.get(route.entity, rid) is not None:
            return error(409, "duplicate", f"a record with {id_field} {rid} already exists")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**body, id_field: body.get(id_field, rid)}, stamp, True)
        self.store.insert(route.entity, rid, doc, stamp)
        return 201, self._etag_header(doc, route.entity), doc

    def _update(self, route: Route, rid: str, body: dict, if_match: str | None) -> Reply:
        current = self.store.get(route.entity, rid)
        if current is None:
            return error(404, "not_found", f"no record {rid}")
        conditional = self.api.writes.conditional == "if-match"
        if conditional and if_match is not None and if_match != self._etag(current, route.entity):
            return error(412, "precondition_failed", "the record changed since the version you read")
        id_field = self.id_field_of(route.entity)
        if id_field in body and str(body[id_field]) != rid:
            return error(400, "bad_request", f"{id_field} cannot be changed")
        body, refused = self._fields(route, body, current)
        if refused:
            return refused
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, deep_merge(current, body), stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, self._etag_header(doc, route.entity), doc


def _enveloped(location: str, docs: list[dict], extra: dict[str, Any]) -> Any:
    """A list answer: the records at `location` (dotted; "" for a bare array) beside the paging fields."""
    if not location:
        return docs
    body: dict[str, Any] = {}
    for dotted, value in ((location, docs), *extra.items()):
        node = body
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return body


def _as_time(stamp: int, form: str) -> Any:
    """A clock stamp as the API writes its updated-at: Unix seconds, milliseconds, or ISO-8601 text."""
    if form == "unix_ms":
        return stamp * 1000
    if form == "iso8601":
        return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return stamp


def _stamp_param(value: str) -> int:
    """A changed-since parameter (Unix seconds or ISO-8601 text) as a clock stamp."""
    try:
        return int(value)
    except ValueError:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
