"""A stateful fake of HubSpot's CRM API, as HubSpot's own OpenAPI describes it and its official client reads it.

What it models, and the facts it relies on (`docs/hubspot-client-notes.md` has the sources):

* Objects (contacts, companies, deals, line items, products, quotes, tickets) at `/crm/v3/objects/<object>`:
  records `{id, properties, createdAt, updatedAt, archived}`, ids numeric strings the fake assigns, times
  ISO-8601 with milliseconds from the logical clock, every property value a string (the OpenAPI's
  `SimplePublicObject`); `properties` always hold `hs_object_id` and the create and last-modified dates.
  List (`limit` 1..100, default 10, paged by `after`, `paging.next` absent on the last page), get, create
  (201), update (PATCH merges; "" clears a property, kept as ""), search (`hubspot_search`). A read returns
  the properties asked for (`properties=a,b`, comma-joined or repeated as the client sends them), else the
  object's defaults, plus the three it always returns (`hubspot_objects`); `associations=deals` adds the v3
  view. Writes are validated against the OpenAPI's request schemas (`hubspot_schemas`): a property value
  that is not a string, an unknown field, a read-only property (400 VALIDATION_ERROR). Property names are
  not checked: HubSpot accounts have custom properties. A contact's e-mail is unique, ignoring case (409
  CONFLICT "Contact already exists. Existing ID: <id>", as HubSpot answers; hubspot-api-nodejs#545).
* Owners at `/crm/v3/owners` (the client asks `/crm/v3/owners/`): list (limit 1..500, `email` filter),
  get by id or `idProperty=userId`; read-only. `fake-api serve hubspot` starts with one owner, as an
  account does.
* Associations v4 and their labels (`hubspot_v4`, `hubspot_associations`), in their own table.
* Auth: `Authorization: Bearer <token>`; otherwise 401 INVALID_AUTHENTICATION, before anything else is
  looked at. Errors are `{status: "error", message, correlationId, category}` (+ `context`, `errors`).
* A 429 fault answers `{..., "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", category:
  "RATE_LIMITS"}` (hubspot-api-python#117; HubSpot's changelog on error categories) with
  `X-HubSpot-RateLimit-Interval-Milliseconds`, `-Max`, `-Remaining` and `Retry-After` (sent by HubSpot per
  third parties only). 500 and 503 faults answer INTERNAL_ERROR and SERVICE_UNAVAILABLE (not verified).
* No idempotency key, no conditional write (HubSpot has neither). Not modelled: archiving (DELETE),
  batch endpoints, merges, property definitions.
"""
from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
from typing import Any, Callable, Iterable
from urllib.parse import urlencode

from apis.description import ApiDescription

from .base import FakeApi, Reply, Route, UnexpectedRequest, WireRequest
from .hubspot_associations import AssociationBook
from .hubspot_objects import (OBJECTS, OBJECTS_PATH, OWNERS_PATH, READ_ONLY, CrmObject, Refused, archived_flag, crm_object, cursor,
                              error, hubspot_id, invalid, iso, names_in, object_at, page_size, wire_string)
from .hubspot_owners import KEYS as OWNER_KEYS, owners, stamped_owner
from .hubspot_schemas import check_request
from .hubspot_search import search
from .hubspot_v4 import association_labels, record_associations
from .hubspot_wire import Undecodable, json_body, query_params

V4_RECORDS, V4_LABELS, UNSERVED = "HubSpot associations", "HubSpot association labels", ""
_SIDE_ROUTES = (("/crm/v4/objects", V4_RECORDS), ("/crm/v4/associations", V4_LABELS),
                ("/crm/associations/v4", V4_LABELS))
_READ_PARAMS = {"properties", "propertiesWithHistory", "associations", "archived"}
_RECORD_KEYS = frozenset({"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt", "associations"})


class FakeHubSpot(FakeApi):
    """HubSpot's CRM API for one account, holding its records and associations in SQLite."""

    updated_at_field = "updatedAt"
    id_form = staticmethod(hubspot_id)

    def __init__(self, *args: Any, api: ApiDescription, secret: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api = api
        self.idempotency_header = api.writes.idempotency_header  # None: HubSpot takes no idempotency key
        self._secret = secret
        self.book = AssociationBook(self.store)

    def reads(self, method: str, path: str) -> bool:
        """A search is POSTed but only reads."""
        return method == "GET" or (method == "POST" and path.startswith(OBJECTS_PATH) and path.endswith("/search"))

    @staticmethod
    def client_hint(base_url: str, secret_shown: str) -> list[str]:
        """How to point HubSpot's official client at the served fake (`fake-api serve hubspot` prints it)."""
        return [
            "point HubSpot's official Python client (hubspot-api-client 12.x) at it:",
            "  from hubspot import HubSpot",
            "  from hubspot.crm.contacts import SimplePublicObjectInputForCreate",
            f"  hs = HubSpot(access_token={secret_shown!r}, host={base_url!r})  # retry=False: see 429s at once",
            "  contacts = hs.crm.contacts.basic_api  # each access builds a new API client: keep it",
            "  contacts.create(SimplePublicObjectInputForCreate(properties={'email': 'ada@example.com'}))",
            f"or curl: curl -H 'Authorization: Bearer {secret_shown}' {base_url}/crm/v3/objects/contacts",
        ]

    def serve_all(self) -> None:
        served = set()
        for entity in self.api.entities.values():
            if entity.operations and entity.path not in served:  # `lineitem` and `line_item` share one path
                served.add(entity.path)
                self.serve(Route(entity.key, entity.path))
        owner = next(r.entity for r in self.routes.values() if r.path == OWNERS_PATH)
        if not self.store.all(owner):
            self.hand_create(owner, {"email": "owner@example.com", "firstName": "Ada", "lastName": "Owner"})

    # by hand, as a user of HubSpot would
    def hand_create(self, entity: str, record: dict) -> str:
        associations = self._hand_form(entity, record).pop("associations", None) or {}
        rid = super().hand_create(entity, {k: v for k, v in record.items() if k != "associations"})
        for key, entry in associations.items():
            for item in (entry or {}).get("results", []):
                self.associate(entity, rid, key, str(item["id"]))
        return rid

    def hand_edit(self, entity: str, rid: str, changes: dict) -> None:
        if "associations" in self._hand_form(entity, changes):
            raise ValueError("HubSpot keeps associations apart from records: use associate()")
        super().hand_edit(entity, rid, changes)

    def _hand_form(self, entity: str, record: dict) -> dict:
        allowed = OWNER_KEYS if self._path_of(entity) == OWNERS_PATH else _RECORD_KEYS
        unknown = sorted(set(record) - allowed)
        if unknown and (allowed is OWNER_KEYS or self._object_of(entity)):
            raise ValueError(f"a HubSpot {entity} holds no top-level {unknown[0]!r}: its fields are "
                             f"{'properties.<name>' if allowed is _RECORD_KEYS else ', '.join(sorted(allowed))}")
        if not isinstance(record.get("properties", {}), dict):
            raise ValueError(f"a HubSpot {entity}'s properties are one object of text values, not "
                             f"{type(record['properties']).__name__} {record['properties']!r}")
        return dict(record)

    def associate(self, entity: str, rid: str, key: str, via_id: str) -> None:
        """Associates record `rid` with record `via_id` of `key` (`deals`) both ways, by the pair's unlabeled type."""
        a, b = self._object_of(entity), crm_object(key)
        if a is None:
            raise ValueError(f"HubSpot has no associations for {entity}")
        b_name = b.name if b else key
        self.book.add(a.name, rid, b_name, via_id, self.book.unlabeled(a.name, b_name))
        self.touch(a.name, rid)
        self.touch(b_name, via_id)

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        now = iso(stamp)
        if created:
            doc.setdefault("createdAt", now)
        doc["updatedAt"] = now
        doc.setdefault("archived", False)
        obj = self._object_of(entity)
        if obj is not None:  # a user typing into HubSpot makes text of every value
            doc["properties"] = {**{name: wire_string(value) for name, value in (doc.get("properties") or {}).items()},
                                 "hs_object_id": str(doc["id"]), obj.created: doc["createdAt"], obj.modified: now}
        elif self._path_of(entity) == OWNERS_PATH and created:
            stamped_owner(doc)
        return doc

    # what the endpoints need of the records (`hubspot_v4.RecordHost`)
    def record(self, obj: str, rid: str) -> dict | None:
        entity = self._entity_for(obj)
        return self.store.get(entity, rid) if entity is not None and rid is not None else None

    def touch(self, obj: str, rid: str | None) -> None:
        """Moves a record's last-modified time, as an association change does (HubSpot recounts its
        `num_associated_*` properties)."""
        if self.record(obj, rid) is not None:
            super().hand_edit(self._entity_for(obj), rid, {})

    def check_params(self, params: dict, allowed: set[str], path: str) -> None:
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise UnexpectedRequest(f"HubSpot {path} does not take the parameters {unknown}", 400)

    def _path_of(self, entity: str) -> str:
        return self.routes[entity].path if entity in self.routes else self.api.entity(entity).path

    def _object_of(self, entity: str) -> CrmObject | None:
        return object_at(self._path_of(entity))

    def _entity_for(self, obj: str) -> str | None:
        path = f"/crm/v3/objects/{obj}"
        return next((route.entity for route in self.routes.values() if route.path == path), None)

    # the wire
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # A WireRequest keeps one value a name: a repeated list parameter is joined with commas first.
        params = query_params(environ.get("QUERY_STRING", ""))
        status, headers, body = self.respond(replace(WireRequest.from_environ(environ), params=params))
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
        return [body]

    def respond(self, request: WireRequest) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = super().respond(request)
        if status == 204:  # no content means none: not even `null`
            return status, {k: v for k, v in headers.items() if k.lower() != "content-type"}, b""
        return status, headers, body

    def _route(self, method: str, path: str) -> tuple[Route, list[str]]:
        for prefix, name in _SIDE_ROUTES:
            if path.startswith(prefix + "/"):
                return Route(name, prefix), [p for p in path[len(prefix):].split("/") if p]
        try:
            return super()._route(method, path)
        except UnexpectedRequest:  # refused in `handle`, once the caller is known to be authenticated
            return Route(UNSERVED, path), []

    def _answer(self, request: WireRequest, route: Route, rest: list[str], path: str, body: Any,
                key: str | None) -> Reply:
        if request.method == "POST" and rest == ["search"]:  # a read, though POSTed: no write hooks run
            reply = self.handle(request.method, route, rest, request.params, body, request.headers)
            self._run_after_read(route.entity)
            return reply
        return super()._answer(request, route, rest, path, body, key)

    def decode_body(self, request: WireRequest) -> Any:
        return json_body(request)

    def check_auth(self, request: WireRequest) -> Reply | None:
        auth = self.api.auth
        if request.headers.get(auth.header, "") == f"{auth.prefix}{self._secret}":
            return None
        return error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth "
                     "2.0 authentication and you can find more details at "
                     "https://developers.hubspot.com/docs/methods/auth/oauth-overview")

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, _, body = error(429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
                                    errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING",
                                    groupName="publicapi:private-app-api-calls-ten-secondly:1")
            return status, {"Retry-After": str(self.faults.retry_after), "X-HubSpot-RateLimit-Max": "100",
                            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                            "X-HubSpot-RateLimit-Remaining": "0"}, body
        if fault == "500":
            return error(500, "INTERNAL_ERROR", "internal error")
        return error(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable; please retry")

    def idempotency_reused(self) -> Reply:
        return error(409, "CONFLICT", "HubSpot takes no idempotency key")

    def unexpected(self, problem: UnexpectedRequest) -> Reply:
        return error(problem.status, "OBJECT_NOT_FOUND" if problem.status == 404 else "VALIDATION_ERROR", str(problem))

    # serving
    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: Any, headers: Any) -> Reply:
        path = "/".join([route.path, *rest])
        if isinstance(body, Undecodable):
            raise UnexpectedRequest(body.reason, body.status)
        try:
            if route.entity == V4_RECORDS:
                return record_associations(self, method, rest, params, body, path)
            if route.entity == V4_LABELS:
                return association_labels(self, method, rest, params, body, path)
            if route.path == OWNERS_PATH:
                return owners(self.store.all(route.entity), method, rest, params, path, self.check_params)
            obj = object_at(route.path) if route.entity != UNSERVED else None
            if obj is None:
                served = ", ".join(sorted(r.path for r in self.routes.values()))
                raise UnexpectedRequest(f"fake {self.system} got {method} {path}, but serves only {served}", 404)
            return self._objects(route, obj, method, rest, params, body, path)
        except Refused as refused:
            return refused.reply

    def _objects(self, route: Route, obj: CrmObject, method: str, rest: list[str], params: dict, body: Any,
                 path: str) -> Reply:
        entity = route.entity
        if (method, rest) == ("POST", ["search"]):
            self.check_params(params, set(), path)
            return search(self.store.all(entity), body, path, lambda doc, names: self._view(obj, doc, names))
        if method == "GET" and not rest:
            self.check_params(params, _READ_PARAMS | {"limit", "after"}, path)
            archived = archived_flag(params.get("archived"))
            seq = cursor(params.get("after"))  # the list is in write order: `after` is the last one's place in it
            docs, nxt = self.store.page(entity, after_stamp=None, position=None if seq is None else (0, seq),
                                        limit=page_size(params.get("limit"), 10, 100), by_stamp=False)
            answer: dict[str, Any] = {"results": [self._read_view(obj, d, params) for d in docs
                                                  if d.get("archived", False) == archived]}
            if nxt:
                after = str(nxt[1])
                answer["paging"] = {"next": {"after": after, "link": f"{self.base_url}{route.path}?"
                                                                     f"{urlencode({**params, 'after': after})}"}}
            return 200, {}, answer
        if method == "POST" and not rest:
            self.check_params(params, set(), path)
            return self._write(entity, obj, None, body, path, "POST")
        if method in ("GET", "PATCH") and len(rest) == 1:
            self.check_params(params, _READ_PARAMS | {"idProperty"} if method == "GET" else {"idProperty"}, path)
            doc = self._find(entity, rest[0], params)
            if method == "GET":
                return 200, {}, self._read_view(obj, doc, params)
            return self._write(entity, obj, doc, body, path, "PATCH")
        raise UnexpectedRequest(f"HubSpot's fake does not model {method} {path}", 405)

    def _find(self, entity: str, rid: str, params: dict) -> dict:
        """The record `rid` names (by id, or by the unique property `idProperty`), or a 404."""
        by = params.get("idProperty") or "hs_object_id"
        if by == "hs_object_id":
            doc = self.store.get(entity, rid)
        else:
            doc = next((d for d in self.store.all(entity)
                        if str(d["properties"].get(by, "")).casefold() == rid.casefold()), None)
        if doc is None or doc.get("archived", False) != archived_flag(params.get("archived")):
            raise Refused(404, "OBJECT_NOT_FOUND", "resource not found", context={"id": [rid]})
        return doc

    def _write(self, entity: str, obj: CrmObject, doc: dict | None, body: Any, path: str, method: str) -> Reply:
        """A create (`doc` None) or a merging update of `doc`, as HubSpot validates them."""
        check_request(method, path, body)
        sent = body["properties"]
        locked = sorted(set(sent) & READ_ONLY)
        if locked:
            raise invalid("Property values were not valid", errors=[
                {"message": f'"{name}" is a read only property; its value cannot be set.', "code": "READ_ONLY_VALUE",
                 "context": {"propertyName": [name]}} for name in locked])
        email = str(sent.get("email") or "").casefold()
        if obj.name == "contacts" and email:
            holder = next((d["id"] for d in self.store.all(entity) if d["id"] != (doc or {}).get("id")
                           and str(d["properties"].get("email", "")).casefold() == email), None)
            if holder:
                raise Refused(409, "CONFLICT", f"Contact already exists. Existing ID: {holder}")
        links = [self._link(obj, item) for item in body.get("associations") or []]
        stamp = self.clock.tick()
        if doc is None:
            rid = self.store.new_id(entity, self.id_form)
            doc = self.stamped(entity, {"id": rid, "properties": dict(sent)}, stamp, True)
            self.store.insert(entity, rid, doc, stamp)
        else:
            doc = self.stamped(entity, {**doc, "properties": {**doc["properties"], **sent}}, stamp, False)
            self.store.replace(entity, doc["id"], doc, stamp)
        for b, bid, kind in links:
            self.book.add(obj.name, doc["id"], b, bid, kind)
            self.touch(b, bid)
        return (201 if method == "POST" else 200), {}, doc

    def _link(self, obj: CrmObject, item: dict) -> tuple[str, str, Any]:
        """(object, id, type) of one association a create asks for; the type names the other object."""
        bid = str(item["to"]["id"])
        for spec in item["types"]:
            for b in OBJECTS.values():
                kind = self.book.type_of(obj.name, b.name, spec["associationCategory"], spec["associationTypeId"])
                if kind is not None and self.record(b.name, bid) is not None:
                    return b.name, bid, kind
        raise invalid(f"association to {bid} is not valid: no such record, or no such association type from {obj.name}")

    def _view(self, obj: CrmObject, doc: dict, names: list[str]) -> dict:
        """The record as a read shows it: the properties asked for (else the defaults) and those always shown."""
        shown = dict.fromkeys([*(names or obj.defaults), *obj.always])
        view = {"id": doc["id"], "properties": {n: doc["properties"][n] for n in shown if n in doc["properties"]},
                "createdAt": doc["createdAt"], "updatedAt": doc["updatedAt"], "archived": doc.get("archived", False)}
        return {**view, **({"archivedAt": doc["archivedAt"]} if "archivedAt" in doc else {})}

    def _read_view(self, obj: CrmObject, doc: dict, params: dict) -> dict:
        view = self._view(obj, doc, names_in(params.get("properties")))
        history = [n for n in names_in(params.get("propertiesWithHistory")) if n in doc["properties"]]
        if history:  # the fake keeps no history: the current value, as of the last write
            view["propertiesWithHistory"] = {n: [{"value": doc["properties"][n], "timestamp": doc["updatedAt"],
                                                  "sourceType": "API"}] for n in history}
        associations = self.book.v3(obj.name, doc["id"], names_in(params.get("associations")))
        return {**view, **({"associations": associations} if associations else {})}


FAKE = FakeHubSpot  # found by `quirks = "hubspot"` in a description
