"""A stateful fake of SuperOffice's REST WebAPI v1, as its own Swagger files (the extract) and reference pages say.

What it models beyond the JSON fake it builds on (`apis/superoffice/api.toml` has the sources):

* A list (`GET /api/v1/Person`) answers archive rows, not entities: `{"odata.metadata", "odata.nextLink",
  "value": [{"PrimaryKey", "EntityName", <the $select columns>}]}` (`ODataSlimResponse`). It renders the columns
  it knows, the id column (`personId`) and the change time the changed-since filter names (`personUpdatedDate`,
  from each record's stamp: a product's archive has one though its entity holds none); another column, another
  `$filter` than `<column> afterTime '<ISO time>'` or another order than by id is an unexpected request.
  `$top` rows (SuperOffice documents no maximum, and its Swagger files give a list no answer but 200: a `$top`
  of 0 or less is an empty page, a negative `$skip` skips nothing), `$skip` rows skipped, rows in id order;
  `odata.nextLink` (the same query with the next `$skip`) while more remain, unless `next_links` is turned off
  to play a feed that gives none.
* Get, create and update answer the entity with its `_Links` where SuperOffice's response schema has them
  (`...EntityWithLinks`); a create answers 200, never 201; an id of 0 in a create asks for a new record.
* PUT replaces the entire entity ("HTTP PUT replaces the entire entity"): what the body leaves out is gone,
  except what SuperOffice keeps itself (the id, the created date). Bodies are judged by the extract's schemas.
  The entity comes as JSON in any of the JSON media types the Swagger files declare for a create and an update
  (`application/json`, `text/json`, `application/json-patch+json`, `application/merge-patch+json`, each with
  the entity's schema); their XML and form bodies are not modelled (415).
* `If-Unmodified-Since` is honoured (412 when the entity changed after it) on the entities whose PUT the
  Swagger files give a 412 answer, ignored elsewhere, as SuperOffice ignores a header it does not take.
* Records hold integer ids (a record typed in by hand too), `CreatedDate` and `UpdatedDate` as ISO-8601 UTC.
* Errors are `{"Error": true, "ErrorType", "ErrorMessage", "ErrorSource"}`; a missing record is a 404
  `SoNotFoundException` (rest-webapi/index.md, "Errors").
* Auth, either of SuperOffice Online's two forms (api/authentication/online/auth-header-types.md): the
  description's `Authorization: SOTicket <ticket>` with the `SO-AppToken` header (the application secret), as
  Sesam's connector sends them; or `Authorization: Bearer <access token>` alone (SuperId, the Swagger files'
  scheme), where no app token is asked for. A ticket without its app token, or with a wrong one, is a 401 in
  SuperOffice's error body.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from apis.fields import Field, fields_of

from ..paths import deep_merge
from .base import Reply, Route, UnexpectedRequest, WireRequest
from .jsonrest import FakeJsonRest, strict_body

# The JSON media types the Swagger files give every create and update, each with the entity's own schema.
_JSON_BODIES = frozenset({"application/json", "text/json", "application/json-patch+json", "application/merge-patch+json"})
_AFTER_TIME = re.compile(r"^\(?\s*([\w/]+)\s+afterTime\s+'([^']*)'\s*\)?$")
_ERROR_TYPES = {"not_found": "SoNotFoundException"}  # the one SuperOffice's pages show
_UNTYPED = Field(None, False)
PRIMARY_KEY = "PrimaryKey"  # every archive row's id (reference page v1PersonEntity_GetAll.md, sample response)
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1  # $top and $skip are int32 in the Swagger files


class FakeSuperOffice(FakeJsonRest):
    """SuperOffice's REST WebAPI: archive rows listed, entities read, created and replaced by id."""

    next_links = True  # False: a feed that gives no `odata.nextLink`, paged by `$skip` alone

    # the wire
    def check_auth(self, request: WireRequest) -> Reply | None:
        """A SuperId access token alone, or (the description's form) a ticket with its app token."""
        if request.headers.get("Authorization", "") == f"Bearer {self._secret}":
            return None  # "Bearer authentication": the access token from SuperId, no SO-AppToken beside it
        auth = self.api.auth
        missing = [header for header, name in auth.headers if request.headers.get(header, "") != self.named_secrets[name]]
        if missing and request.headers.get(auth.header, "") == f"{auth.prefix}{self._secret}":
            return self.error(401, "unauthorized", f"{auth.prefix.strip()} authentication needs the {missing[0]} "
                                                   "header, the application's secret, beside the ticket")
        return super().check_auth(request)

    def decode_body(self, request: WireRequest) -> Any:
        kind = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT") and request.body and kind in _JSON_BODIES:
            body = strict_body(self.system, request.body)
            if not isinstance(body, dict):  # "400 Bad request. Entity to save is not in request body." (PUT pages)
                raise UnexpectedRequest(f"{self.system}: the entity to save is not in the request body (a JSON object)")
            return body
        return super().decode_body(request)

    def error(self, status: int, code: str, message: str) -> Reply:
        return status, {}, {"Error": True, "ErrorType": _ERROR_TYPES.get(code, code), "ErrorMessage": message,
                            "ErrorSource": "SuperOffice.Services.Implementation"}

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: Any, headers: Any) -> Reply:
        status, reply_headers, answer = super().handle(method, route, rest, params, body, headers)
        if status == 201:
            status = 200  # SuperOffice answers a create 200 with the entity (its Swagger files list no 201)
        if status == 200 and (rest or method != "GET") and isinstance(answer, dict):
            answer = self._with_links(route, answer)
        return status, reply_headers, answer

    def _with_links(self, route: Route, doc: dict) -> dict:
        schema = self.described(route.entity).schema
        links = (self.judge.document["components"]["schemas"].get(schema, {}).get("properties", {})
                 if self.judge else {})
        if "_Links" not in links:
            return doc
        rid = doc.get(self.id_field_of(route.entity))
        return {**doc, "_Links": {"Self": f"{self.base_url}{route.path}/{rid}"}}

    def _wire_id(self, rid: str) -> Any:
        """An id as SuperOffice's records hold it: an int32."""
        return int(rid) if self.api.id_type == "integer" else rid

    # records, as a person keeps them in SuperOffice
    def hand_create(self, entity: str, record: dict) -> str:
        id_field = self.id_field_of(entity)
        if record.get(id_field) in (None, "", 0):  # SuperOffice's ids are int32 however a record is typed in
            record = {**record, id_field: self._wire_id(self.store.new_id(entity, self.id_form))}
        return super().hand_create(entity, self._listed(entity, record, {}))

    def hand_edit(self, entity: str, rid: str, changes: dict) -> None:
        super().hand_edit(entity, rid, self._listed(entity, changes, self.store.get(entity, rid) or {}))

    def _listed(self, entity: str, changes: dict, current: dict) -> dict:
        """Changes typed in as SuperOffice holds them: a value given for a list of objects (`{"Emails": {"Value":
        ...}}`) edits each e-mail the record holds (one, if it holds none), as a person edits the one shown."""
        fields = fields_of(self.api, self.described(entity))
        listed = {}
        for key, value in changes.items():
            held = current.get(key)
            found = fields.find(key) if fields is not None else None
            if isinstance(value, dict) and (isinstance(held, list) or (found is not None and found.type == "array")):
                items = [item for item in held if isinstance(item, dict)] if isinstance(held, list) else []
                value = [deep_merge(item, value) for item in items] or [value]
            listed[key] = value
        return listed

    def fields_beside(self, entity: str, rid: str, path: str, taken: set[str]) -> list[str]:
        """As the JSON fake's, but none beside a path through a list (`Emails.Value`): read there, a field is
        a list of the items' values, never the one value filled in (the base fake's rule too)."""
        fields = fields_of(self.api, self.described(entity))
        parents = path.split(".")[:-1]
        if fields is not None and any((fields.find(".".join(parents[:n])) or _UNTYPED).type == "array"
                                      for n in range(1, len(parents) + 1)):
            return []
        return super().fields_beside(entity, rid, path, taken)

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        doc = super().stamped(entity, doc, stamp, created)
        fields = fields_of(self.api, self.described(entity))
        if created and fields is not None and fields.find("CreatedDate") is not None:
            doc["CreatedDate"] = _iso(stamp)
        return doc

    # the operations
    def _create(self, route: Route, body: dict) -> Reply:
        id_field = self.id_field_of(route.entity)
        if isinstance(body, dict) and body.get(id_field) == 0:  # 0: a new record (Sesam's connector sends it so)
            body = {key: value for key, value in body.items() if key != id_field}
        return super()._create(route, body)

    def _update(self, route: Route, rid: str, body: Any, headers: Any) -> Reply:
        current, refused = self._held_for_update(route, rid, body, headers)
        if refused:
            return refused
        id_field = self.id_field_of(route.entity)
        if not isinstance(body, dict):
            raise UnexpectedRequest(f"{self.system} PUT {route.path}/{rid} takes the whole entity, a JSON object")
        if body.get(id_field) not in (None, 0) and str(body[id_field]) != rid:
            return self.error(400, "bad_request", f"{id_field} cannot be changed")
        body, refused = self._refused("PUT", route, body, current, rid)
        if refused:
            return refused
        kept = {key: current[key] for key in (id_field, "CreatedDate") if key in current}
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**body, **kept}, stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, {}, self._one(doc)

    def _stale(self, entity: str, current: dict, body: Any, headers: Any) -> Reply | None:
        if not self._takes_if_unmodified_since(entity):
            return None  # the header is not one this entity's PUT takes
        return super()._stale(entity, current, body, headers)

    def _takes_if_unmodified_since(self, entity: str) -> bool:
        """Whether SuperOffice's Swagger files give this entity's PUT a 412 (If-Unmodified-Since) answer."""
        collection = self.described(entity).path
        paths = self.judge.document["paths"] if self.judge else {}
        return any("412" in (ops.get("put") or {}).get("responses", {}) for path, ops in paths.items()
                   if path.rpartition("/")[0] == collection and path.endswith("}"))

    def _list(self, route: Route, params: dict) -> Reply:
        paging, described = self.api.paging, self.described(route.entity)
        vendor = self._query_parameters(route.path)
        unknown = sorted(set(params) - set(vendor))
        if unknown:
            raise UnexpectedRequest(f"{self.system} list {route.path} got parameters it does not take: {unknown}")
        try:
            top = int(params.get(paging.size_param, paging.max_size))
            skip = int(params.get(paging.param, 0))
        except ValueError:
            return self.error(400, "bad_request", f"{paging.size_param} and {paging.param} must be numbers")
        if not (INT32_MIN <= top <= INT32_MAX and INT32_MIN <= skip <= INT32_MAX):  # the Swagger files' int32
            return self.error(400, "bad_request", f"{paging.size_param} and {paging.param} must be 32-bit integers")
        top, skip = max(top, 0), max(skip, 0)  # no bound documented, and no answer but 200
        id_column = _lower_first(self.id_field_of(route.entity))
        stamp_column = self._stamp_column(route.entity)
        after = self._after(params.get("$filter"), stamp_column, route)
        order = params.get("$orderBy", "").strip()
        if order and order.removesuffix(" asc").strip() not in (id_column, PRIMARY_KEY):
            raise UnexpectedRequest(f"fake {self.system} orders {route.path} only by {id_column}, not {order!r}")
        columns = [c.strip() for c in params.get("$select", "").split(",") if c.strip()]
        strange = [c for c in columns if c not in (id_column, stamp_column, PRIMARY_KEY)]
        if strange:
            raise UnexpectedRequest(f"fake {self.system} renders only the {id_column} and {stamp_column or 'no'} "
                                    f"columns of {route.path}, not {strange}")
        where, args = "entity=?", [route.entity]
        if after is not None:
            where, args = where + " AND stamp>?", [*args, after]
        # Each row's change time is its record's stamp in the store (a product's entity holds none to read it from),
        # which only the store's own table gives beside the id.
        found = self.store.extend("").execute(f"SELECT id, stamp FROM docs WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
                                              (*args, top + 1, skip)).fetchall() if top else []
        rows = []
        for rid, stamp in found[:top]:
            row: dict[str, Any] = {PRIMARY_KEY: self._wire_id(rid), "EntityName": described.key}
            for column in columns:
                row[column] = _iso(stamp) if column == stamp_column else self._wire_id(rid)
            rows.append(row)
        answer: dict[str, Any] = {"odata.metadata": f"{self.base_url}/api/v1/archive$metadata"}
        if len(found) > top and self.next_links:
            answer["odata.nextLink"] = f"{self.base_url}{route.path}?{urlencode({**params, paging.param: skip + top})}"
        answer["value"] = rows
        return 200, {}, answer

    def _stamp_column(self, entity: str) -> str:
        incremental = self.api.incremental_of(self.described(entity))
        return incremental.param_value.partition("{since}")[0].strip(" (").split(" ")[0] if incremental.param else ""

    def _after(self, given: str | None, column: str, route: Route) -> int | None:
        """The stamp after which rows are asked for: `<column> afterTime '<ISO time>'`, the one filter read here."""
        if given is None:
            return None
        found = _AFTER_TIME.match(given.strip())
        if not found or found.group(1) != column:
            wanted = f"{column} afterTime '<time>'" if column else "nothing"
            raise UnexpectedRequest(f"fake {self.system} filters {route.path} only by {wanted}, not {given!r}")
        try:
            moment = datetime.fromisoformat(found.group(2).replace("Z", "+00:00"))
        except ValueError:
            raise UnexpectedRequest(f"{given!r} holds no ISO date and time") from None
        return int((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp())


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _iso(stamp: int) -> str:
    """A clock stamp as SuperOffice writes a time: ISO-8601 in UTC."""
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


FAKE = FakeSuperOffice  # found by `quirks = "superoffice"` in a description
