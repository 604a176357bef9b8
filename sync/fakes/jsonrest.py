"""A stateful fake of a JSON REST API as its description says (MemberCare, Custom CRM, Custom PMS, any other).

It serves exactly what `apis/<system>/api.toml` says: the entities and their paths, the records
location, the paginator (`next_cursor` tokens, page numbers with `total_pages`, or a next-page
link), the updated-at field (or none), the auth header, and only where described the
changed-since parameter, the idempotency header and `PATCH` with `If-Match` answered by 412 when
the record has moved on (or a version in the body answered 409, or `If-Unmodified-Since`), JSON
Patch updates: an API that does not describe them ignores those headers, as a real one would,
and refuses the parameter. Errors are placed as the description's `[errors]` says.
Where the description has the vendor's OpenAPI extract, a write is judged by the vendor's own
schema for that operation (`openapi.Judge`), not by the fields a mapping declared.

No public description of these systems' APIs exists, so their fields are what the harness
declares at serve time (the paths a mapping reads and writes, with the mapping's types): a
write holding any other field, or a declared field of the wrong JSON type, is refused with a
400 naming it, and nothing is stored.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from functools import partial
from email.utils import parsedate_to_datetime

import jsonpatch
from typing import Any
from urllib.parse import parse_qsl, urlencode

from apis import selection
from apis.description import ApiDescription, EntityApi, Session
from apis.fields import SCALAR_TYPES, Field, fields_of

from ..paths import deep_merge, set_path
from . import wirelimits, wiretypes
from .base import FakeApi, Reply, Route, UnexpectedRequest, WireRequest, basic_credentials
from .log import REDACTED, LoggedRequest
from .openapi import judge_of


_CODES = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 411: "length_required",
          413: "payload_too_large", 414: "uri_too_long", 415: "unsupported_media_type",
          431: "request_header_fields_too_large"}


class FakeJsonRest(FakeApi):
    """One JSON REST system's API, holding its records in SQLite."""

    def __init__(self, *args: Any, api: ApiDescription, secret: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api = api
        self.idempotency_header = api.writes.idempotency_header
        self._secret = secret
        self.judge = judge_of(api.key, api.extract) if api.extract else None
        # The further secrets the API's auth names, made from the served secret (fake-api serve prints them).
        self.named_secrets = {name: f"{secret}-{name}" for name in api.auth.credential_names}
        self.secret_headers = frozenset({"authorization", api.auth.header.lower(),
                                         *(header.lower() for header, _name in api.auth.headers)})
        self._sessions: set[str] = set()  # the session tokens this API has made

    def serve_all(self) -> None:
        for entity in self.api.entities.values():
            if entity.operations:
                self.serve(Route(entity.key, entity.path))
        self.serve_any = self.api.unknown_entities != "none"

    def fields_beside(self, entity: str, rid: str, path: str, taken: set[str]) -> list[str]:
        """A text field next to `path` that the vendor's schema lets a write hold and no row maps (a check
        fills it by hand, to see an update keep it); where no schema says, the base class invents one."""
        fields = fields_of(self.api, self.described(entity))
        if fields is None:
            return super().fields_beside(entity, rid, path, taken)
        parent = path.rpartition(".")[0]
        steps = parent.split(".") if parent else []
        if any((fields.find(".".join(steps[:n])) or Field(None, True)).type == "array" for n in range(1, len(steps) + 1)):
            return []  # a path through a list of items: a field beside it is each item's, which an edit cannot name
        beside = [candidate for candidate, field in fields.by_path.items()
                  if parent and candidate.rpartition(".")[0] == parent and candidate not in taken
                  and field.writable and field.type == "string" and "*" not in candidate]
        return beside[:1]

    def hand_create(self, entity: str, record: dict) -> str:
        return super().hand_create(entity, self._as_typed(entity, record))

    def hand_edit(self, entity: str, rid: str, changes: dict) -> None:
        super().hand_edit(entity, rid, self._as_typed(entity, changes))

    def _as_typed(self, entity: str, record: dict) -> dict:
        """A record typed in by hand, as the vendor's schema holds it: what a person types into a number
        field is a number (`"4200"` -> 4200), into a text field text; where no schema says, as given."""
        fields = fields_of(self.api, self.described(entity))
        if fields is None:
            return record

        def typed(value: Any, path: str) -> Any:
            if isinstance(value, dict):
                return {key: typed(item, f"{path}.{key}" if path else key) for key, item in value.items()}
            if isinstance(value, list):
                return [typed(item, path) for item in value]
            found = fields.find(path)
            if found is None or found.type not in SCALAR_TYPES or value is None:
                return value
            if found.type == "string":
                return value if isinstance(value, str) else wiretypes.as_text(value)
            try:
                return wiretypes.check(value, found.type, form=True)
            except wiretypes.WrongType:
                return value  # left as typed: the API would refuse it, which is the test's business

        return typed(record, "")

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
        writes = self.api.writes
        if writes.version_field:  # a version the API moves on every write: an ETag, or a counter
            held = doc.get(writes.version_field)
            doc[writes.version_field] = (f'W/"{stamp}"' if writes.conditional == "if-match"
                                         else (held + 1 if isinstance(held, int) and not created else 0))
        return doc

    # the wire
    def error(self, status: int, code: str, message: str) -> Reply:
        """The API's own error body, as its description places the message, code and status."""
        errors = self.api.errors
        return status, {}, _enveloped("", None, {errors.message: message, errors.code: code,
                                                 **({errors.status: status} if errors.status else {})})

    def decode_body(self, request: WireRequest) -> Any:
        if request.method == "GET" or not request.body:
            return {}
        kind = request.headers.get("Content-Type", "")
        patching = "json-patch+json" in kind
        if "json" not in kind or (patching and self.api.writes.update_style != "json_patch"):
            raise UnexpectedRequest(f"{self.system} does not take {kind or 'a body without a type'}", 415)
        body = strict_body(self.system, request.body)
        if not isinstance(body, list if patching else dict):
            raise UnexpectedRequest(f"{self.system} expects {'a JSON Patch array' if patching else 'a JSON object'}")
        return body

    def idempotency_reused(self) -> Reply:
        return self.error(422, "idempotency_key_reused",
                          f"{self.idempotency_header} was already used for another request")

    def unexpected(self, problem: UnexpectedRequest) -> Reply:
        code = _CODES.get(problem.status, "bad_request")
        return self.error(problem.status, code, str(problem))

    def check_auth(self, request: WireRequest) -> Reply | None:
        auth = self.api.auth
        if any(request.headers.get(header, "") != self.named_secrets[name] for header, name in auth.headers):
            return self.error(401, "unauthorized", "missing or wrong credentials")
        if auth.style == "none":
            return None
        if auth.style == "bearer" and request.headers.get(auth.header, "") in (
                f"{auth.prefix}{self._secret}", *(f"{auth.prefix}{token}" for token in self._sessions)):
            return None  # the token served, or one its session request made
        given = basic_credentials(request.headers.get("Authorization", "")) if auth.style == "basic" else None
        if given is not None and (given[0] == auth.user and (given[1] == self._secret or given[1] in self._sessions)
                                  if auth.user else given[0] == self._secret):
            return None
        return self.error(401, "unauthorized", "missing or wrong credentials")

    def _dispatch(self, request: WireRequest) -> Reply:
        session = self.api.auth.session
        if session is not None and request.method == session.method and request.path == session.url(self.base_path):
            return self._make_session(request, session)
        return super()._dispatch(request)

    def _make_session(self, request: WireRequest, session: Session) -> Reply:
        """The API's session request: its named secrets right, a token for the basic-auth password (no faults:
        the tests' fault plans are about the records' requests). Logged with the secrets left out."""
        secret = self.named_secrets.__getitem__
        wanted = session.filled(secret, tomorrow="")
        headers = {k: (REDACTED if k.lower() in self.secret_headers else v) for k, v in request.headers.items()}
        self.log.append(LoggedRequest(request.method, session.path, {k: REDACTED for k in request.params}, {},
                                      headers, "", None, True))
        if any(k not in request.params for k, _v in session.params):
            missing = next(k for k, _v in session.params if k not in request.params)
            return self.error(self.api.errors.invalid, "validation_error", f"{missing}: required")
        if any(request.params[param] != value for param, value in wanted.items() if value):  # any date is taken
            return self.error(401, "unauthorized", "missing or wrong credentials")
        if any(request.headers.get(header, "") != self.named_secrets[name] for header, name in self.api.auth.headers):
            return self.error(401, "unauthorized", "missing or wrong credentials")  # a subscription key, here too
        basic = session.filled_basic(secret)
        if basic is not None and basic_credentials(request.headers.get("Authorization", "")) != basic:
            return self.error(401, "unauthorized", "missing or wrong credentials")
        if session.form:
            try:
                form = dict(parse_qsl(request.with_body().body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
            except (ValueError, UnicodeDecodeError):
                form = {}
            if form != session.filled_form(secret):  # grant_type=client_credentials, and nothing else
                return self.error(400, "invalid_request", f"the form body must be {urlencode(session.form)}")  # unfilled
        token = f"{self._secret}-session-{len(self._sessions) + 1}"
        self._sessions.add(token)
        if "." not in session.token:  # an OAuth token answer (RFC 6749, 5.1): the token, its type and lifetime
            return 200, {}, {session.token: token, "token_type": "bearer", "expires_in": 3600}
        answer = set_path({}, session.token, token)  # Tripletex's {"value": SessionToken}
        answer.setdefault(session.token.split(".")[0], {}).update(
            {"id": len(self._sessions), "version": 0, "expirationDate": request.params.get("expirationDate", "")})
        return 200, {}, answer

    def fault_reply(self, fault: str) -> Reply:
        if fault == "429":
            status, _, body = self.error(429, "rate_limited", "too many requests")
            return status, {"Retry-After": str(self.faults.retry_after)}, body
        return self.error(int(fault), "server_error", "the server could not answer")

    # the operations
    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: Any, headers: Any) -> Reply:
        described = self.described(route.entity)
        operation = {("GET", 0): "list", ("GET", 1): "retrieve", ("POST", 0): "create",
                     (self.api.writes.update_method, 1): "update"}.get((method, len(rest)))
        if operation is None or operation not in described.operations:
            raise UnexpectedRequest(f"{self.system} has no {method} {route.path}/{'/'.join(rest)}", 405)
        asked: selection.Tree | None = None
        if self.api.selection is not None:
            # a read's selection (its `fields`), checked before anything is read; a write takes none
            asked, refused = self._selection_of(route, params if operation in ("list", "retrieve") else {})
            if refused:
                return refused
        if operation == "list":
            reply = self._list(route, params)
        elif operation == "retrieve":
            doc = self.store.get(route.entity, rest[0])
            reply = (200, self._etag_header(doc, route.entity), self._one(doc)) if doc else self._missing(rest[0])
        elif operation == "create":
            reply = self._create(route, body)
        else:
            reply = self._update(route, rest[0], body, headers)
        return self._selected(route, reply, asked, many=operation == "list") if self.api.selection else reply

    # Tripletex's `fields` (`[selection]`): only what a read asks for, objects not asked into as references
    def _selection_of(self, route: Route, params: dict) -> tuple[selection.Tree | None, Reply | None]:
        """The selection a read's parameter asks for (None: the API's default, `*`), or the 400 refusing it: a
        malformed one, or one naming a field the vendor's records lack ("Illegal Filter", 400 in its text)."""
        text = params.get(self.api.selection.param, "")
        if not text.strip():
            return None, None
        try:
            tree = selection.parse(text)
        except ValueError as exc:
            return None, self.error(400, "illegal_filter", f"Illegal fields filter {text!r}: {exc}")
        fields = fields_of(self.api, self.described(route.entity))
        unknown = [name for name in selection.names(tree) if fields is not None and fields.find(name) is None]
        if unknown:
            model = self.described(route.entity).schema or route.entity
            return None, self.error(400, "illegal_filter", f"Illegal field in fields filter: {unknown[0]}. "
                                                           f"{unknown[0]} does not match a field in the model: {model}")
        return tree, None

    def _selected(self, route: Route, reply: Reply, asked: selection.Tree | None, many: bool) -> Reply:
        """The reply's records as the selection answers them."""
        status, headers, answer = reply
        location = self.api.records if many else self.api.record
        if status >= 300 or not isinstance(answer, dict) or not location:
            return reply
        held = answer.get(location)
        reference = partial(self._reference, route)
        show = partial(selection.render, tree=asked, reference=reference, named_only=self.api.selection.named_only)
        if many and isinstance(held, list):
            return status, headers, {**answer, location: [show(doc) if isinstance(doc, dict) else doc for doc in held]}
        if not many and isinstance(held, dict):
            return status, headers, {**answer, location: show(held)}
        return reply

    def _reference(self, route: Route, path: str, value: dict) -> dict:
        """An object not asked into, as the API answers it: its `id` and the `url` of the resource it is."""
        kept = self.api.selection.reference
        found = {name: value[name] for name in kept if name in value}
        if "url" in kept and "url" not in found and value.get("id") not in (None, ""):
            found["url"] = f"{self.base_url}{self._resource_path(route, path)}/{value['id']}"
        return found

    def _resource_path(self, route: Route, path: str) -> str:
        """The collection of the object at `path` of a record: the described entity whose schema it has, else its
        schema's name (`Address` -> `/address`), else the field's own name."""
        name = _schema_at(self.judge.document if self.judge else {}, self.described(route.entity).schema, path)
        entity = next((e for e in self.api.entities.values() if name and e.schema == name), None)
        last = name or path.rsplit(".", 1)[-1]
        return entity.path if entity else "/" + last[:1].lower() + last[1:]

    def id_value(self, rid: str) -> Any:
        return int(rid) if self.api.id_type == "integer" else rid

    def _one(self, doc: dict) -> Any:
        return _enveloped(self.api.record, doc, {}) if self.api.record else doc

    def _missing(self, rid: str) -> Reply:
        return self.error(404, "not_found", f"no record {rid}")

    def _etag(self, doc: dict | None, entity: str) -> str:
        field = self.api.writes.version_field or self.updated_at_of(entity)
        return str((doc or {}).get(field, "")) if field else ""

    def _etag_header(self, doc: dict | None, entity: str = "") -> dict[str, str]:
        return {"ETag": self._etag(doc, entity)} if self.api.writes.conditional == "if-match" and doc else {}

    def _list(self, route: Route, params: dict) -> Reply:
        paging = self.api.paging
        incremental = self.api.incremental_of(self.described(route.entity))
        since_param = incremental.param
        token_param = paging.param or "page_token"
        vendor = self._query_parameters(route.path)
        allowed = {paging.size_param, token_param, since_param, *vendor} - {"", None}
        unknown = set(params) - allowed
        if unknown:
            raise UnexpectedRequest(f"{self.system} list {route.path} got parameters it does not take: {sorted(unknown)}")
        missing = sorted(name for name, required in vendor.items() if required and name not in params)
        if missing:
            return self.error(self.api.errors.invalid, "validation_error", f"{', '.join(missing)} must be given")
        try:
            limit = int(params.get(paging.size_param, paging.max_size)) if paging.size_param else paging.max_size
            after = _since(params[since_param], incremental.param_value) if since_param in params else None
        except ValueError:
            return self.error(400, "bad_request", f"{paging.size_param} and {since_param} must be a number and a time")
        if not 1 <= limit <= paging.max_size:
            return self.error(400, "bad_request", f"{paging.size_param} must be between 1 and {paging.max_size}")
        if paging.style in ("page", "from"):
            try:
                start = int(params.get(token_param, 1 if paging.style == "page" else 0))
            except ValueError:
                return self.error(400, "bad_request", f"{token_param} must be a number")
            offset = (start - 1) * limit if paging.style == "page" else start
            if offset < 0:
                return self.error(400, "bad_request", f"{token_param} must not be negative")
            total = self.store.count(route.entity, after)
            docs, _ = (self.store.page(route.entity, after_stamp=after, position=None, limit=offset + limit,
                                       by_stamp=True) if offset < total else ([], None))  # past the end: empty
            extra: dict[str, Any] = {}
            if paging.total:
                extra[paging.total] = max(1, -(-total // limit)) if paging.style == "page" else total
            if paging.style == "from":
                extra.update({"from": offset, "count": len(docs[offset:])})
            return 200, {}, _enveloped(self.api.records, docs[offset:], extra)
        position = None
        token = params.get(token_param)
        if token:
            try:
                position = tuple(json.loads(base64.urlsafe_b64decode(token.encode())))
            except ValueError:
                return self.error(400, "bad_request", "the page token is not one this API gave")
        docs, nxt = self.store.page(route.entity, after_stamp=after, position=position, limit=limit, by_stamp=True)
        next_token = base64.urlsafe_b64encode(json.dumps(list(nxt)).encode()).decode() if nxt else None
        if paging.style == "next_link":
            link = f"{self.base_url}{route.path}?{urlencode({**params, token_param: next_token})}" if next_token else None
            return 200, {}, _enveloped(self.api.records, docs, {paging.token: link})
        return 200, {}, _enveloped(self.api.records, docs, {paging.token: next_token})

    def _query_parameters(self, path: str) -> dict[str, bool]:
        """The query parameters the vendor's own list operation takes (name -> required), none without an extract."""
        found = self.judge.operation("GET", self.api.extract_prefix + path) if self.judge else None
        return {p["name"]: bool(p.get("required")) for p in (found[1].get("parameters", ()) if found else ())
                if p.get("in") == "query"}

    def _refused(self, method: str, route: Route, body: Any, current: dict | None = None,
                 rid: str = "") -> tuple[Any, Reply | None]:
        """The body typed as the API takes it, or the 400 refusing it: by the vendor's own schema where the
        description has one for this operation, else by the fields the harness declared."""
        path = self.api.extract_prefix + (self.api.item_path.format(path=route.path, id=rid) if rid else route.path)
        if self.judge is not None and self.judge.operation(method, path) is not None:
            problem = self.judge.request_problem(method, path, body)
            if problem:
                where, message = problem
                return None, self.error(self.api.errors.invalid, "validation_error",
                                        f"{where + ': ' if where else ''}{message}")
            return body, None
        return self._fields(route, body, current)

    def _fields(self, route: Route, body: dict, current: dict | None = None) -> tuple[dict | None, Reply | None]:
        """The body typed by the declared fields (and those the record already holds), or the 400
        refusing the first undeclared or mistyped one."""
        if route.entity not in self.schema:
            return body, None  # served without a mapping: nothing declares the fields
        held = {path: None for path in wiretypes.held_paths(current)} if current else {}
        declared = {self.id_field_of(route.entity): None, self.api.writes.version_field or "": None, **held,
                    **self.schema[route.entity]}
        try:
            typed, unknown = wiretypes.declared_leaves(body, declared, form=False)
        except wiretypes.WrongType as exc:
            return None, self.error(400, "wrong_type", str(exc))
        if unknown:
            return None, self.error(400, "unknown_field", f"{self.system} {route.path} has no field {unknown[0]!r}")
        return typed, None

    def _create(self, route: Route, body: dict) -> Reply:
        body, refused = self._refused("POST", route, body)
        if refused:
            return refused
        held = self.judge.held_fields(self.api.extract_prefix + self.api.item_path.format(path=route.path, id="0")) \
            if self.judge is not None else None
        if held is not None:  # what the vendor's record does not hold is consumed by the create, not kept
            body = {k: v for k, v in body.items() if k in held}
        id_field = self.id_field_of(route.entity)
        given = body.get(id_field) not in (None, "")
        rid = str(body[id_field]) if given else self.store.new_id(route.entity, self.id_form)
        if self.store.get(route.entity, rid) is not None:
            return self.error(409, "duplicate", f"a record with {id_field} {rid} already exists")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, {**body, id_field: body[id_field] if given else self.id_value(rid)}, stamp,
                           True)
        self.store.insert(route.entity, rid, doc, stamp)
        return 201, self._etag_header(doc, route.entity), self._one(doc)

    def _held_for_update(self, route: Route, rid: str, body: Any, headers: Any) -> tuple[dict, Reply | None]:
        """The record an update would change, or the reply refusing it: no such record, or a stale write as the
        API says it."""
        current = self.store.get(route.entity, rid)
        if current is None:
            return {}, self._missing(rid)
        return current, self._stale(route.entity, current, body, headers)

    def _update(self, route: Route, rid: str, body: Any, headers: Any) -> Reply:
        current, refused = self._held_for_update(route, rid, body, headers)
        if refused:
            return refused
        patching = self.api.writes.update_style == "json_patch"
        if patching != isinstance(body, list):
            raise UnexpectedRequest(f"{self.system} updates take {'a JSON Patch' if patching else 'a JSON object'}", 415)
        checked, refused = self._refused(self.api.writes.update_method, route, body, current, rid)
        if refused:
            return refused
        if patching:  # the operations, as the vendor's schema takes them, applied to what the API holds
            try:
                updated = jsonpatch.apply_patch(current, checked)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                return self.error(400, "bad_patch", f"the JSON Patch does not apply: {exc}")
        else:
            updated = deep_merge(current, {k: v for k, v in checked.items() if k != self.api.writes.version_field})
        id_field = self.id_field_of(route.entity)
        if str(updated.get(id_field)) != str(current.get(id_field)):
            return self.error(400, "bad_request", f"{id_field} cannot be changed")
        stamp = self.clock.tick()
        doc = self.stamped(route.entity, updated, stamp, False)
        self.store.replace(route.entity, rid, doc, stamp)
        return 200, self._etag_header(doc, route.entity), self._one(doc)

    def _stale(self, entity: str, current: dict, body: Any, headers: Any) -> Reply | None:
        """The refusal of a write planned on a version the record has moved on from, as the API says it."""
        writes = self.api.writes
        style = self.api.conditional_of(self.described(entity))
        stale = self.api.errors.stale or (412,)
        if style == "if-match":
            given = headers.get("If-Match")
        elif style == "if-unmodified-since":
            given = headers.get("If-Unmodified-Since")
        elif style == "version-field" and isinstance(body, dict):
            given = body.get(writes.version_field)
        else:
            return None
        if given is None:
            if writes.conditional_required:
                return self.error(428 if style != "version-field" else 400, "precondition_required",
                                  f"an update must say the version it read ({style})")
            return None
        if style == "if-unmodified-since":
            try:
                moved = (self.updated_at_of(entity) is not None and
                         _stamp(current.get(self.updated_at_of(entity))) > parsedate_to_datetime(given).timestamp())
            except (TypeError, ValueError):
                return self.error(400, "bad_request", "If-Unmodified-Since is not an HTTP date")
        else:
            moved = str(given) != self._etag(current, entity) if style == "if-match" else \
                given != current.get(writes.version_field)
        return self.error(stale[0], "stale", "the record changed since the version you read") if moved else None


def _schema_at(document: dict, schema: str, path: str) -> str:
    """The name of the component schema a dotted path of `schema`'s records holds (through lists), or ""."""
    schemas = document.get("components", {}).get("schemas", {})
    name = schema
    for part in path.split("."):
        node = (schemas.get(name) or {}).get("properties", {}).get(part) or {}
        node = node.get("items", node)
        ref = node.get("$ref", "")
        if not ref:
            return ""
        name = ref.rsplit("/", 1)[-1]
    return name


def _enveloped(location: str, content: Any, extra: dict[str, Any]) -> Any:
    """An answer: `content` at `location` (dotted; "" for the body itself) beside the `extra` fields."""
    if not location and not extra:
        return content
    body: dict[str, Any] = {}
    for dotted, value in (((location, content),) if location else ()) + tuple(extra.items()):
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


def _stamp(value: Any) -> float:
    """An updated-at (Unix seconds or milliseconds, or ISO-8601 text) as Unix seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000 if value > 10**11 else float(value)
    try:
        return float(int(value))
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _since(value: str, template: str) -> int:
    """A changed-since parameter as a clock stamp, read through its template (`lastModifiedDateTime gt {since}`)."""
    before, _, after = template.partition("{since}")
    if not (value.startswith(before) and value.endswith(after)):
        raise ValueError(f"not {template!r}")
    return int(_stamp(value[len(before):len(value) - len(after)]))


def strict_body(system: str, raw: bytes) -> Any:
    """A body as strict JSON within `wirelimits`' nesting cap; UnexpectedRequest (400) saying why not."""
    try:
        return wirelimits.strict_json(raw)
    except wirelimits.Refusal as refusal:
        raise UnexpectedRequest(f"{system}: {refusal}", refusal.status) from None
