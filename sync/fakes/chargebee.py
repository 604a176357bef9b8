"""A stateful fake of Chargebee API v2, validating what `chargebee_wire` says Chargebee validates.

It parses form bodies (`formcodec`; JSON-valued parameters such as `meta_data` as one field),
checks every write against the resource's parameters (unknown, missing required, wrong type,
enum value or length: 400 with Chargebee's error body), pages with `next_offset` (none on the
last page; `limit` above 100 refused), filters on `updated_at[after]` with
`sort_by[asc]=updated_at`, replaces the whole billing info on `update_billing_info`, serves
addresses as Chargebee does (read and upserted by subscription and label) and nothing the
public API lacks, honours `chargebee-idempotency-key` (a replay answers with
`chargebee-idempotency-replayed: true`; the key reused for another request is refused), and
stamps `updated_at` (Unix seconds, from the logical clock) and `resource_version` on writes.

Parameters the description does not list for a resource are accepted only where the harness
declared them (the paths a mapping writes), typed as declared: the real API's handling of the
read-only attributes some documents map (an Order's `currency_code`) is not modelled.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from ..connectors import formcodec
from ..connectors.chargebee_wire import (ERRORS, IDEMPOTENCY_HEADER, MAX_LIMIT, REPLAYED_HEADER, RESOURCES, Param,
                                         Resource, resource)
from ..paths import deep_merge
from . import wirelimits, wiretypes
from .base import FakeApi, Reply, Route, UnexpectedRequest, WireRequest, basic_user

# Statuses a request is refused with before Chargebee's own validation, which its ERRORS do not list;
# the codes are the fake's own, in Chargebee's error body.
_WIRE_ERRORS = {408: "request_timeout", 411: "length_required", 413: "request_too_large", 414: "uri_too_long",
                431: "request_header_too_large"}
_LIST_PARAMS = {"limit", "offset", "sort_by[asc]", "updated_at[after]"}


def error(kind: str, message: str, param: str | None = None) -> Reply:
    """Chargebee's error body for one of the `chargebee_wire.ERRORS` it answers."""
    status, code, error_type = ERRORS[kind]
    body: dict[str, Any] = {"message": message, "api_error_code": code, "http_status_code": status}
    if error_type:
        body["type"] = error_type
    if param:
        body["param"] = param
    return status, {}, body


class ParamError(ValueError):
    def __init__(self, kind: str, param: str, reason: str):
        super().__init__(f"{param} : {reason}")
        self.kind, self.param = kind, param


class FakeChargebee(FakeApi):
    """Chargebee's API for one site, holding its records in SQLite."""

    idempotency_header = IDEMPOTENCY_HEADER

    @staticmethod
    def id_form(number: int) -> str:
        # Chargebee assigns alphanumeric ids such as "AzZjHnTQa1xbq5Ds", never all digits: so do we,
        # so that nothing downstream may get away with assuming numeric ids.
        return f"AzZj{number:06d}Qb"

    def __init__(self, *args: Any, secret: str, api: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._api_key = secret

    def serve_all(self) -> None:
        """Answers for every resource the description knows (a served fake)."""
        for res in RESOURCES.values():
            self.serve(Route(res.key, res.path, res.key))

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        doc["updated_at"] = stamp
        doc["resource_version"] = stamp * 1000
        if created:
            doc.setdefault("created_at", stamp)
        doc["object"] = self.routes[entity].object_key if entity in self.routes else "record"
        return doc

    def fields_beside(self, entity: str, rid: str, path: str, taken: set[str]) -> list[str]:
        described = resource(self.routes[entity].object_key) if entity in self.routes else None
        top = path.split(".")[0]
        if described is None or top not in described.billing_info:
            return super().fields_beside(entity, rid, path, taken)
        # `update_billing_info` replaces the whole billing info: every other part of it is at stake.
        beside = []
        for name, param in described.billing_info.items():
            if param.type == "object":
                beside += [f"{name}.{field}" for field, inner in param.fields.items()
                           if inner.type == "string" and f"{name}.{field}" not in taken and f"{name}.{field}" != path][:1]
            elif param.type == "string" and name not in taken and name != path:
                beside.append(name)
        return beside

    def decode_body(self, request: WireRequest) -> dict:
        if request.method == "GET":
            return {}
        if request.body and "application/x-www-form-urlencoded" not in request.headers.get("Content-Type", ""):
            raise UnexpectedRequest(f"Chargebee takes form-encoded bodies, got {request.headers.get('Content-Type')!r}")
        try:
            pairs = wirelimits.form_pairs(request.body)
        except wirelimits.Refusal as refusal:
            raise UnexpectedRequest(str(refusal), refusal.status) from None
        try:
            return formcodec.decode(pairs)
        except (TypeError, AttributeError, ValueError, IndexError) as exc:  # `tags[0]=a&tags[x]=b`: a list and an object
            raise UnexpectedRequest(f"the form fields do not make one object ({type(exc).__name__}: {exc})") from None

    def check_auth(self, request: WireRequest) -> Reply | None:
        authorization = request.headers.get("Authorization", "")
        if basic_user(authorization) != self._api_key:
            return error("auth", "Sorry, authentication failed. Invalid api key")
        return None

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, headers, body = error("rate_limited", "Sorry, access has been blocked temporarily due to "
                                          "request count exceeding acceptable limits. Please try after some time.")
            return status, {"Retry-After": str(self.faults.retry_after)}, body
        if fault == "500":
            return error("internal", "Sorry, something went wrong when trying to process the request.")
        return error("unavailable", "Sorry, the server is currently unable to handle the request due to a "
                                    "temporary overload or scheduled maintenance. Please retry after sometime.")

    def replayed_headers(self) -> dict[str, str]:
        return {REPLAYED_HEADER: "true"}

    def idempotency_reused(self) -> Reply:
        return error("idempotency_reused", "The idempotency key was already used for a different request",
                     param=IDEMPOTENCY_HEADER)

    def unexpected(self, problem: UnexpectedRequest) -> Reply:
        if problem.status in _WIRE_ERRORS:  # refused off the wire: Chargebee's error body with the wire's status
            status, code = problem.status, _WIRE_ERRORS[problem.status]
            return status, {}, {"message": str(problem), "api_error_code": code, "http_status_code": status,
                                "type": "invalid_request"}
        kind = "not_found" if problem.status == 404 else "wrong_value"
        return error(kind, str(problem))

    # routing
    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict, headers: Any) -> Reply:
        res = resource(route.object_key)
        if res is None:  # a resource the description does not know: the same conventions, unchecked
            res = Resource(route.object_key, route.path, frozenset({"list", "retrieve", "create", "update"}))
        ops = res.operations
        if method == "GET" and not rest and "list" in ops and not res.list_path:
            return self._list(route, params)
        if method == "GET" and rest == ["list"] and res.list_path:
            return self._list(route, params)
        if method == "GET" and not rest and "retrieve_by_key" in ops:
            return self._retrieve_by_key(route, res, params)
        if method == "GET" and len(rest) == 1 and "retrieve" in ops:
            return self._retrieve(route, rest[0])
        if method == "POST" and not rest and "upsert" in ops:
            return self._upsert(route, res, body)
        if method == "POST" and not rest and "create" in ops:
            return self._create(route, res, body)
        if method == "POST" and len(rest) == 1 and "update" in ops:
            return self._update(route, res, rest[0], body, "update")
        if method == "POST" and rest[1:] == ["update_billing_info"] and "update_billing_info" in ops:
            return self._update(route, res, rest[0], body, "update_billing_info")
        lacks = f" (the public API has no {res.lacks})" if res.lacks else ""
        raise UnexpectedRequest(f"Chargebee has no {method} {route.path}/{'/'.join(rest)}{lacks}".replace("/ ", " "),
                                404)

    # validation, from the description
    def _params(self, route: Route, res: Resource, operation: str, body: dict) -> dict:
        """The body typed by the operation's parameters; ParamError for the first one Chargebee would refuse."""
        described = res.params_for(operation)
        elsewhere = set(res.create) | set(res.update) | set(res.billing_info)
        declared = self.schema.get(route.entity, {})
        typed: dict[str, Any] = {}
        for name, value in body.items():
            if name in described:
                typed[name] = _checked(name, described[name], value, declared)
            elif res.key in RESOURCES and name in elsewhere:
                raise ParamError("not_allowed", name, f"is not a parameter of this operation ({operation})")
            else:
                typed[name] = _declared(name, value, declared, known=res.key in RESOURCES)
        if operation in ("create", "upsert"):
            for name in res.required_on_create():
                if body.get(name) in (None, ""):
                    raise ParamError("missing", name, "cannot be blank")
        return typed

    def _validated(self, route: Route, res: Resource, operation: str, body: dict) -> tuple[dict | None, Reply | None]:
        try:
            return self._params(route, res, operation, body), None
        except ParamError as exc:
            return None, error(exc.kind, str(exc), param=exc.param)

    # operations
    def _envelope(self, route: Route, doc: dict) -> dict:
        return {route.object_key: doc}

    def _not_found(self, what: str) -> Reply:
        return error("not_found", f"Sorry, we couldn't find that resource {what}")

    def _list(self, route: Route, params: dict) -> Reply:
        unknown = set(params) - _LIST_PARAMS
        if unknown:
            raise UnexpectedRequest(f"Chargebee list {route.path} got parameters it does not take: {sorted(unknown)}")
        try:
            limit = int(params.get("limit", 10))
            after = int(params["updated_at[after]"]) if "updated_at[after]" in params else None
            position = tuple(int(p) for p in json.loads(params["offset"])) if "offset" in params else None
        except (ValueError, TypeError):
            return error("wrong_value", "invalid value for limit, offset or updated_at[after]")
        if not 1 <= limit <= MAX_LIMIT:
            return error("wrong_value", f"limit : The value {limit} is invalid. Must be between 1 and {MAX_LIMIT}",
                         param="limit")
        if "sort_by[asc]" in params and params["sort_by[asc]"] not in ("updated_at", "created_at"):
            return error("wrong_value", "sort_by[asc] : invalid value", param="sort_by[asc]")
        by_stamp = params.get("sort_by[asc]") == "updated_at" or after is not None
        docs, nxt = self.store.page(route.entity, after_stamp=after, position=position, limit=limit,
                                    by_stamp=by_stamp)
        body: dict = {"list": [self._envelope(route, d) for d in docs]}
        if nxt is not None:
            body["next_offset"] = json.dumps([str(nxt[0]), str(nxt[1])]).replace(" ", "")
        return 200, {}, body

    def _retrieve(self, route: Route, rid: str) -> Reply:
        doc = self.store.get(route.entity, rid)
        return (200, {}, self._envelope(route, doc)) if doc is not None else self._not_found(rid)

    def _retrieve_by_key(self, route: Route, res: Resource, params: dict) -> Reply:
        for name in res.key_params:
            if not params.get(name):
                return error("missing", f"{name} : cannot be blank", param=name)
        unknown = set(params) - set(res.key_params)
        if unknown:
            raise UnexpectedRequest(f"Chargebee {route.path} is read by {', '.join(res.key_params)}, "
                                    f"not {sorted(unknown)}")
        return self._retrieve(route, _key_id(res, params))

    def _create(self, route: Route, res: Resource, body: dict) -> Reply:
        typed, refused = self._validated(route, res, "create", body)
        if refused:
            return refused
        rid = str(typed.get("id") or self.store.new_id(route.entity, self.id_form))
        if self.store.get(route.entity, rid) is not None:
            return error("duplicate", f"The value {rid} is already present.", param="id")
        defaults = {name: param.default for name, param in res.create.items() if param.default is not None}
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**defaults, **typed, "id": rid}, stamp, True)
        self.store.insert(route.entity, rid, doc, stamp)
        return 200, {}, self._envelope(route, doc)

    def _upsert(self, route: Route, res: Resource, body: dict) -> Reply:
        """A keyed resource's write: creates the record for its key, or updates the one there."""
        typed, refused = self._validated(route, res, "upsert", body)
        if refused:
            return refused
        rid = _key_id(res, typed)
        current = self.store.get(route.entity, rid)
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, deep_merge(current or {}, typed), stamp, current is None)
        (self.store.replace if current else self.store.insert)(route.entity, rid, doc, stamp)
        return 200, {}, self._envelope(route, doc)

    def _update(self, route: Route, res: Resource, rid: str, body: dict, operation: str) -> Reply:
        current = self.store.get(route.entity, rid)
        if current is None:
            return self._not_found(rid)
        if "id" in body and str(body["id"]) != rid:
            return error("not_allowed", "id : cannot be changed", param="id")
        typed, refused = self._validated(route, res, operation, {k: v for k, v in body.items() if k != "id"})
        if refused:
            return refused
        if operation == "update_billing_info":
            # Chargebee replaces the billing info: what is not sent is cleared, not kept.
            current = {k: v for k, v in current.items() if k not in res.billing_info}
            doc = {**current, **typed}
        else:
            doc = deep_merge(current, typed)
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, doc, stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, {}, self._envelope(route, doc)


def _key_id(res: Resource, values: Mapping[str, Any]) -> str:
    """The store id of a keyed record: its key's parts joined by "/", each part's own "%" and "/" escaped,
    so that `a` + `b/c` and `a/b` + `c` are two records (a part holding neither is kept as it was)."""
    return "/".join(str(values[name]).replace("%", "%25").replace("/", "%2F") for name in res.key_params)


def _checked(path: str, param: Param, value: Any, declared: dict[str, str | None]) -> Any:
    """A described parameter's value, typed; ParamError naming it if Chargebee would refuse it."""
    if param.type == "object":
        if not isinstance(value, dict):
            raise ParamError("wrong_value", path, "must be sent as bracketed fields")
        return {key: (_checked(f"{path}[{key}]", param.fields[key], inner, declared) if key in param.fields
                      else _declared(f"{path}.{key}", inner, declared, known=True))
                for key, inner in value.items()}
    if param.type == "enum":
        if value not in param.values:
            raise ParamError("wrong_value", path, f"invalid value {value!r}; one of {', '.join(param.values)}")
        return value
    try:
        typed = wiretypes.check(value, param.type)
    except wiretypes.WrongType as exc:
        raise ParamError("wrong_value", path, f"invalid value: {exc}") from None
    if param.max_length is not None and isinstance(typed, str) and len(typed) > param.max_length:
        raise ParamError("wrong_value", path, f"cannot be more than {param.max_length} characters")
    return typed


def _declared(path: str, value: Any, declared: dict[str, str | None], known: bool) -> Any:
    """A parameter the description does not list: accepted as the harness declared it, else refused."""
    try:
        typed, unknown = wiretypes.declared_leaves(value, declared, path.replace("[", ".").replace("]", ""))
    except wiretypes.WrongType as exc:
        raise ParamError("wrong_value", path, f"invalid value: {exc}") from None
    if unknown and known:
        first, *inner = unknown[0].split(".")
        raise ParamError("not_allowed", first + "".join(f"[{part}]" for part in inner),
                         "is not a parameter Chargebee takes here")
    return typed


FAKE = FakeChargebee  # found by `quirks = "chargebee"` in a description
