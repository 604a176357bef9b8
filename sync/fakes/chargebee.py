"""A stateful fake of Chargebee API v2, faithful to its wire format.

It parses form bodies (`formcodec`), pages with `next_offset` (no `next_offset` on the last
page; `limit` above 100 is refused), filters on `updated_at[after]` with
`sort_by[asc]=updated_at`, answers in Chargebee's envelopes and error bodies, honours
`chargebee-idempotency-key`, and stamps `updated_at` (Unix seconds, from the shared logical
clock) and `resource_version` (milliseconds) on every write. Entities Chargebee has no
public endpoint for (business entities, addresses) are served in the same conventions, as
`sync.connectors.chargebee` describes.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import requests

from ..connectors import formcodec
from ..connectors.chargebee import BILLING_INFO_FIELDS
from ..paths import deep_merge
from .base import FakeApi, Reply, Route, UnexpectedRequest, basic_user

MAX_LIMIT = 100


def error(status: int, message: str, code: str, kind: str = "invalid_request", param: str | None = None) -> Reply:
    body = {"message": message, "type": kind, "api_error_code": code, "http_status_code": status}
    if param:
        body["param"] = param
    return status, {}, body


class FakeChargebee(FakeApi):
    """Chargebee's API for one site, holding its records in SQLite."""

    idempotency_header = "chargebee-idempotency-key"

    def __init__(self, *args: Any, api_key: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._api_key = api_key

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        doc["updated_at"] = stamp
        doc["resource_version"] = stamp * 1000
        if created:
            doc.setdefault("created_at", stamp)
        doc["object"] = self.routes[entity].object_key if entity in self.routes else "record"
        return doc

    def decode_body(self, request: requests.PreparedRequest) -> dict:
        if request.method == "GET":
            return {}
        if request.body and "application/x-www-form-urlencoded" not in request.headers.get("Content-Type", ""):
            raise UnexpectedRequest(f"Chargebee takes form-encoded bodies, got {request.headers.get('Content-Type')!r}")
        text = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        return formcodec.decode(parse_qsl(text, keep_blank_values=True))

    def check_auth(self, authorization: str) -> Reply | None:
        if basic_user(authorization) != self._api_key:
            return error(401, "Sorry, authentication failed. Invalid api key", "api_authentication_failed",
                         "api_authentication_failed")
        return None

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, headers, body = error(429, "Sorry, access has been blocked temporarily due to request count "
                                          "exceeding acceptable limits.", "api_request_limit_exceeded")
            return status, {"Retry-After": str(self.faults.retry_after)}, body
        return error(int(fault), "Sorry, something went wrong when trying to process the request.",
                     "internal_error", "internal_error") if fault == "500" else error(
            503, "Sorry, the site is under maintenance.", "site_not_ready", "service_unavailable")

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict, headers: Any) -> Reply:
        if method == "GET" and not rest:
            return self._list(route, params)
        if method == "GET" and len(rest) == 1:
            return self._retrieve(route, rest[0])
        if method == "POST" and not rest:
            return self._create(route, body)
        if method == "POST" and len(rest) == 1:
            return self._update(route, rest[0], body)
        if method == "POST" and len(rest) == 2 and rest[1] == "update_billing_info":
            if route.object_key not in BILLING_INFO_FIELDS:
                raise UnexpectedRequest(f"update_billing_info exists for customers only, not {route.path}")
            return self._update(route, rest[0], body, billing=True)
        raise UnexpectedRequest(f"Chargebee has no {method} {route.path}/{'/'.join(rest)}")

    def _envelope(self, route: Route, doc: dict) -> dict:
        return {route.object_key: doc}

    def _list(self, route: Route, params: dict) -> Reply:
        unknown = set(params) - {"limit", "offset", "sort_by[asc]", "updated_at[after]"}
        if unknown:
            raise UnexpectedRequest(f"Chargebee list {route.path} got parameters it does not take: {sorted(unknown)}")
        try:
            limit = int(params.get("limit", 10))
            after = int(params["updated_at[after]"]) if "updated_at[after]" in params else None
            position = tuple(json.loads(params["offset"])) if "offset" in params else None
        except (ValueError, TypeError):
            return error(400, "invalid value for limit, offset or updated_at[after]", "param_wrong_value")
        if not 1 <= limit <= MAX_LIMIT:
            return error(400, f"limit : The value {limit} is invalid. Must be between 1 and 100",
                         "param_wrong_value", param="limit")
        if "sort_by[asc]" in params and params["sort_by[asc]"] not in ("updated_at", "created_at"):
            return error(400, "sort_by[asc] : invalid value", "param_wrong_value", param="sort_by[asc]")
        by_stamp = params.get("sort_by[asc]") == "updated_at" or after is not None
        docs, nxt = self.store.page(route.entity, after_stamp=after, position=position, limit=limit,
                                    by_stamp=by_stamp)
        body: dict = {"list": [self._envelope(route, d) for d in docs]}
        if nxt is not None:
            body["next_offset"] = json.dumps([str(nxt[0]), str(nxt[1])]).replace(" ", "")
        return 200, {}, body

    def _retrieve(self, route: Route, rid: str) -> Reply:
        doc = self.store.get(route.entity, rid)
        if doc is None:
            return error(404, f"Sorry, we couldn't find that resource {rid}", "resource_not_found", "invalid_request")
        return 200, {}, self._envelope(route, doc)

    def _create(self, route: Route, body: dict) -> Reply:
        rid = str(body.get("id") or self.store.new_id(route.entity))
        if self.store.get(route.entity, rid) is not None:
            return error(400, f"The value {rid} is already present.", "duplicate_entry", param="id")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**self.typed(route.entity, body, None), "id": rid}, stamp, True)
        self.store.insert(route.entity, rid, doc, stamp)
        return 200, {}, self._envelope(route, doc)

    def _update(self, route: Route, rid: str, body: dict, billing: bool = False) -> Reply:
        current = self.store.get(route.entity, rid)
        if current is None:
            return error(404, f"Sorry, we couldn't find that resource {rid}", "resource_not_found", "invalid_request")
        fields = BILLING_INFO_FIELDS.get(route.object_key, ())
        misplaced = [k for k in body if (k in fields) != billing]
        if misplaced:
            where = "update_billing_info" if not billing else f"POST {route.path}/{{id}}"
            return error(400, f"{misplaced[0]} : cannot be passed here; use {where}", "param_not_allowed",
                         param=misplaced[0])
        if "id" in body and str(body["id"]) != rid:
            return error(400, "id : cannot be changed", "param_not_allowed", param="id")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, deep_merge(current, self.typed(route.entity, body, current)), stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, {}, self._envelope(route, doc)
