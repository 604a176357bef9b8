"""A stateful fake of a declared JSON REST API (MemberCare, Custom CRM, Custom PMS, any other).

It serves exactly what the `JsonRestApi` declaration says: the records location, page style
(`next_cursor` tokens or page numbers with `total_pages`), the updated-at field, bearer or basic
auth, and only where declared the incremental-read parameter, `Idempotency-Key` and `PATCH` with
`If-Match` answered by 412 when the record has moved on: an API that does not declare them
ignores those headers, as a real one would, and refuses the parameter. Errors are
`{"error": {"code", "message"}}`.

No public description of these systems' APIs exists, so their fields are what the harness
declares at serve time (the paths a mapping reads and writes, with the mapping's types): a
write holding any other field, or a declared field of the wrong JSON type, is refused with a
400 naming it, and nothing is stored.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from ..connectors.jsonrest import JsonRestApi
from ..paths import deep_merge
from . import wiretypes
from .base import FakeApi, Reply, Route, UnexpectedRequest, WireRequest, basic_user


def error(status: int, code: str, message: str) -> Reply:
    return status, {}, {"error": {"code": code, "message": message}}


class FakeJsonRest(FakeApi):
    """One JSON REST system's API, holding its records in SQLite."""

    def __init__(self, *args: Any, api: JsonRestApi, secret: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api = api
        self.idempotency_header = api.idempotency_header
        self.updated_at_field = api.updated_at_field
        self.id_field = api.id_field
        self._secret = secret

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
        declared = {self.api.id_field: None, **held, **self.schema[route.entity]}
        try:
            typed, unknown = wiretypes.declared_leaves(body, declared, form=False)
        except wiretypes.WrongType as exc:
            return None, error(400, "wrong_type", str(exc))
        if unknown:
            return None, error(400, "unknown_field", f"{self.system} {route.path} has no field {unknown[0]!r}")
        return typed, None

    def check_auth(self, authorization: str) -> Reply | None:
        if self.api.auth == "bearer" and authorization == f"Bearer {self._secret}":
            return None
        if self.api.auth == "basic" and basic_user(authorization) == self._secret:
            return None
        if self.api.auth == "none":
            return None
        return error(401, "unauthorized", "missing or wrong credentials")

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, _, body = error(429, "rate_limited", "too many requests")
            return status, {"Retry-After": str(self.faults.retry_after)}, body
        return error(int(fault), "server_error", "the server could not answer")

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict, headers: Any) -> Reply:
        if method == "GET" and not rest:
            return self._list(route, params)
        if len(rest) == 1 and method == "GET":
            doc = self.store.get(route.entity, rest[0])
            return (200, {"ETag": self._etag(doc)}, doc) if doc else error(404, "not_found", f"no record {rest[0]}")
        if method == "POST" and not rest:
            return self._create(route, body)
        if method in ("PATCH", "PUT") and len(rest) == 1:
            return self._update(route, rest[0], body, headers.get("If-Match"))
        raise UnexpectedRequest(f"{self.system} has no {method} {route.path}/{'/'.join(rest)}", 405)

    def _etag(self, doc: dict | None) -> str:
        return str((doc or {}).get(self.api.updated_at_field, ""))

    def _list(self, route: Route, params: dict) -> Reply:
        api = self.api
        size_param, token_param = ("per_page", "page") if api.page_style == "page" else ("limit", "cursor")
        unknown = set(params) - {size_param, token_param, api.since_param}
        if unknown:
            raise UnexpectedRequest(f"{self.system} list {route.path} got parameters it does not take: {sorted(unknown)}")
        try:
            limit = int(params.get(size_param, 100))
            after = int(params[api.since_param]) if api.since_param in params else None
        except ValueError:
            return error(400, "bad_request", f"{size_param} and {api.since_param} must be integers")
        if not 1 <= limit <= 100:
            return error(400, "bad_request", f"{size_param} must be between 1 and 100")
        if api.page_style == "page":
            page = int(params.get("page", 1))
            total = self.store.count(route.entity, after)
            docs, _ = self.store.page(route.entity, after_stamp=after, position=None,
                                      limit=limit * page, by_stamp=True)
            pages = max(1, -(-total // limit))
            return 200, {}, {api.records_location: docs[limit * (page - 1):], "page": page, "total_pages": pages}
        position = None
        if token_param in params:
            position = tuple(json.loads(base64.urlsafe_b64decode(params[token_param].encode())))
        docs, nxt = self.store.page(route.entity, after_stamp=after, position=position, limit=limit, by_stamp=True)
        token = base64.urlsafe_b64encode(json.dumps(list(nxt)).encode()).decode() if nxt else None
        return 200, {}, {api.records_location: docs, "next_cursor": token}

    def _create(self, route: Route, body: dict) -> Reply:
        body, refused = self._fields(route, body)
        if refused:
            return refused
        id_field = self.api.id_field
        rid = str(body[id_field]) if body.get(id_field) not in (None, "") else self.store.new_id(route.entity)
        if self.store.get(route.entity, rid) is not None:
            return error(409, "duplicate", f"a record with {id_field} {rid} already exists")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**body, id_field: body.get(id_field, rid)}, stamp, True)
        self.store.insert(route.entity, rid, doc, stamp)
        return 201, {"ETag": self._etag(doc)}, doc

    def _update(self, route: Route, rid: str, body: dict, if_match: str | None) -> Reply:
        current = self.store.get(route.entity, rid)
        if current is None:
            return error(404, "not_found", f"no record {rid}")
        if self.api.conditional_writes and if_match is not None and if_match != self._etag(current):
            return error(412, "precondition_failed", "the record changed since the version you read")
        if self.api.id_field in body and str(body[self.api.id_field]) != rid:
            return error(400, "bad_request", f"{self.api.id_field} cannot be changed")
        body, refused = self._fields(route, body, current)
        if refused:
            return refused
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, deep_merge(current, body), stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, {"ETag": self._etag(doc)}, doc
