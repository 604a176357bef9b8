"""The common machinery of a stateful fake API: a WSGI application, whatever carries its requests.

A fake is a WSGI application (`environ` -> status, headers, body), so the `responses` router
of the tests (`router.py` turns a `requests.PreparedRequest` into an environ) and a real
loopback server (`fake-api serve`, `serve.py`) share one implementation.

A fake is strict: a request it has no route for, or a malformed one, raises
`UnexpectedRequest` (an AssertionError, so no engine error handling can swallow it; a served
fake answers it with a 4xx saying why). It logs every request it receives, checks
credentials, injects faults (429 with Retry-After, 500, 503, timeouts, and writes applied
whose response is lost), and remembers the reply of every write sent with an idempotency key,
scoped by method, path and body: a retry gets the same answer, marked as a replay, instead of
a second write, and the key reused for another request is refused.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict

from ..names import snake
from ..paths import deep_merge, get_path
from . import wirelimits
from .faults import FaultPlan
from .log import REDACTED, LoggedRequest
from .store import FakeStore, LogicalClock

Reply = tuple[int, dict[str, str], Any]


class InjectedTimeout(Exception):
    """A fault the transport must turn into a timeout: "timeout" (nothing applied) or "lost" (applied)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One request as a WSGI environ carries it: method, path, query pairs, headers and body bytes."""

    method: str
    path: str
    params: dict[str, str]
    headers: CaseInsensitiveDict
    body: bytes
    # reads the body off the wire: called only once the caller is authenticated (`with_body`)
    unread: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_environ(cls, environ: dict) -> "WireRequest":
        """The request's method, path, query and headers; its body is left unread until `with_body`."""
        headers: CaseInsensitiveDict = CaseInsensitiveDict()
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").title()] = value
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        unread = partial(wirelimits.read_body, environ["wsgi.input"], environ.get("CONTENT_LENGTH"),
                         environ.get("HTTP_TRANSFER_ENCODING"), environ.get("fake_api.body_seconds",
                                                                            wirelimits.BODY_SECONDS))
        return cls(environ["REQUEST_METHOD"].upper(), environ.get("PATH_INFO") or "/", params, headers, b"", unread)

    def with_body(self) -> "WireRequest":
        """The request with its body read, within `wirelimits`' caps (UnexpectedRequest with a 4xx if not)."""
        if self.unread is None:
            return self
        try:
            return replace(self, body=self.unread(), unread=None)
        except wirelimits.Refusal as refusal:
            raise UnexpectedRequest(str(refusal), refusal.status) from None


class UnexpectedRequest(AssertionError):
    """A request the fake API does not serve; the message says what was asked and what is served.

    The tests see it raised; a served fake answers it with `status`.
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Route:
    """One entity the fake serves: its collection path and (for enveloped APIs) object key."""

    entity: str
    path: str
    object_key: str = ""


class FakeApi:
    """A fake of one system's API: records in SQLite, a request log, faults and idempotency."""

    idempotency_header = "Idempotency-Key"
    updated_at_field = "updated_at"
    id_field = "id"
    id_form = staticmethod(str)  # how the API spells the ids it assigns (a counter's number, by default)
    serve_any = False  # a served generic fake answers for any collection path
    served = False  # over a socket (`fake-api serve`), where any local process may be the client

    # Request headers that carry credentials (lower case): kept out of the request log, which reports show.
    secret_headers: frozenset[str] = frozenset({"authorization"})

    def __init__(self, system: str, base_url: str, clock: LogicalClock, faults: FaultPlan | None = None,
                 store: FakeStore | None = None):
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.faults = faults or FaultPlan()
        self.store = store or FakeStore()
        self.log: list[LoggedRequest] = []
        self.routes: dict[str, Route] = {}
        self.schema: dict[str, dict[str, str | None]] = {}  # entity -> path -> type (None: any) declared at serve time
        self._before_write: list[Callable[[], None]] = []
        self._after_read: list[tuple[str, Callable[[], None]]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.system!r}, {self.base_url!r})"

    # set-up
    def serve(self, route: Route, schema: dict[str, str | None] | None = None) -> None:
        """Answers for `route`'s entity; `schema` declares the fields (dotted paths) its writes may hold
        (a typed declaration is never loosened by an untyped one of the same path)."""
        self.routes[route.entity] = route
        if schema is not None:
            declared = self.schema.setdefault(route.entity, {})
            for path, data_type in schema.items():
                if data_type or path not in declared:
                    declared[path] = data_type

    def snapshot(self) -> bytes:
        """Its records and the entities it serves, as an SQLite file's bytes (`fake-api serve --state` opens it)."""
        self.store.keep_served([(r.entity, r.path, r.object_key, json.dumps(self.schema.get(r.entity)))
                                for r in self.routes.values()])
        return self.store.snapshot()

    def serve_all(self) -> None:
        """Answers for every entity the API's description knows (a served fake, with no harness to say which)."""
        self.serve_any = True

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """The WSGI application: one request in, one answer out."""
        status, headers, body = self.respond(WireRequest.from_environ(environ))
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
        return [body]

    def respond(self, request: WireRequest) -> tuple[int, dict[str, str], bytes]:
        """Answers one request addressed to this fake (status, headers, JSON body bytes)."""
        return wire(self._dispatch(request))

    def unexpected(self, problem: UnexpectedRequest) -> tuple[int, dict[str, str], bytes]:
        """How a served fake answers a request it does not serve (the tests see it raised instead)."""
        raise NotImplementedError

    def before_next_write(self, action: Callable[[], None]) -> None:
        """Runs `action` when the next write arrives, before it is applied (a concurrent edit)."""
        self._before_write.append(action)

    def after_next_read(self, entity: str, action: Callable[[], None]) -> None:
        """Runs `action` once the API has answered the next read of `entity` (an edit the reader has not seen)."""
        self._after_read.append((entity, action))

    def close(self) -> None:
        self.store.close()

    # by hand, as a user of the system would
    def hand_create(self, entity: str, record: dict) -> str:
        record = copy.deepcopy(record)
        id_field = self.id_field_of(entity)
        given = record.get(id_field)
        rid = str(given) if given not in (None, "") else self.store.new_id(entity, self.id_form)
        if self.store.get(entity, rid) is not None:
            raise ValueError(f"{self.system} {entity} {rid!r} already exists")
        record[id_field] = given if given not in (None, "") else self.id_value(rid)
        stamp = self.clock.tick()
        self.store.insert(entity, rid, self.stamped(entity, record, stamp, True), stamp)
        return rid

    def hand_edit(self, entity: str, rid: str, changes: dict) -> None:
        current = self.store.get(entity, rid)
        if current is None:
            raise KeyError(f"{self.system} {entity} {rid!r} does not exist")
        stamp = self.clock.tick()
        self.store.replace(entity, rid, self.stamped(entity, deep_merge(current, changes), stamp, False), stamp)

    def associate(self, entity: str, rid: str, key: str, via_id: str) -> None:
        """Associates record `rid` with record `via_id` of the collection `key` (`deals`), by hand: here in
        the v3 shape a record carries (`associations.deals.results`); an API keeping them apart overrides it."""
        record = self.store.get(entity, rid) or {}
        results = list(((record.get("associations") or {}).get(key) or {}).get("results", []))
        if not any(str(a.get("id")) == via_id for a in results):
            results.append({"id": via_id, "type": f"{snake(entity)}_to_{key}"})
        self.hand_edit(entity, rid, {"associations": {key: {"results": results}}})

    def fields_beside(self, entity: str, rid: str, path: str, taken: set[str]) -> list[str]:
        """Dotted paths, not in `taken`, that a write of `path` could lose if the API replaced more than
        it was sent: here a field next to it in its object (a check fills them by hand)."""
        parent = path.rpartition(".")[0]
        record = self.store.get(entity, rid) or {}
        if not parent or not isinstance(get_path(record, parent), dict):
            return []  # a top-level field, or a path through a list
        return [next(f"{parent}.qa_kept_{n}" for n in range(len(taken) + 1) if f"{parent}.qa_kept_{n}" not in taken)]

    def reads(self, method: str, path: str) -> bool:
        """Whether a request only reads (its faults never include a write applied with its answer lost)."""
        return method == "GET"

    def id_field_of(self, entity: str) -> str:
        """The field holding a record's id in `entity` (an API's entities may differ)."""
        return self.id_field

    def id_value(self, rid: str) -> Any:
        """An id the API assigns, as its records hold it (text, unless the API says otherwise)."""
        return rid

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        """The document with its updated-at (and whatever else the API stamps) set."""
        doc[self.updated_at_field] = stamp
        return doc

    # serving
    def _dispatch(self, request: WireRequest) -> Reply:
        path = request.path[len(self.base_path):] or "/"
        headers = CaseInsensitiveDict({k: (REDACTED if k.lower() in self.secret_headers else v)
                                       for k, v in request.headers.items()})
        denied = self.check_auth(request)
        if denied and not self.served:  # the tests' engine is the only client: its mistakes fail loudly as ever
            self._check_base(request.path)
            self.decode_body(request.with_body())
            self._route(request.method, path)
        if denied:
            # Credentials first, from the headers alone: a client without them costs no body read or parsed,
            # is kept in the log without one, and (served) is told nothing of the paths served.
            is_write = not self.reads(request.method, path)
            self.log.append(LoggedRequest(request.method, path, request.params, {}, headers,
                                          self._entity_at(request.method, path), self.faults.roll(is_write),
                                          not is_write))
            return denied
        self._check_base(request.path)
        request = request.with_body()
        body = self.decode_body(request)
        route, rest = self._route(request.method, path)
        is_write = not self.reads(request.method, path)
        fault = self.faults.roll(is_write)
        self.log.append(LoggedRequest(request.method, path, request.params, copy.deepcopy(body), headers,
                                      route.entity, fault, not is_write))
        if fault in ("429", "500", "503"):
            return self.fault_reply(fault)
        if fault == "timeout":
            raise InjectedTimeout(fault, f"fake {self.system}: injected timeout")
        key = request.headers.get(self.idempotency_header) if is_write and self.idempotency_header else None
        with self.store.lock:
            reply = self._answer(request, route, rest, path, body, key)
        if fault == "lost":
            raise InjectedTimeout(fault, f"fake {self.system}: write applied, response lost")
        return reply

    def _answer(self, request: WireRequest, route: "Route", rest: list[str], path: str, body: dict,
                key: str | None) -> Reply:
        scope = _scope(request.method, path, request.body)
        remembered = self.store.reply_for(key) if key else None
        if remembered:
            if remembered[0] != scope:
                return self.idempotency_reused()
            return remembered[1], self.replayed_headers(), remembered[2]
        reading = self.reads(request.method, path)
        if not reading:
            while self._before_write:
                self._before_write.pop(0)()
        reply = self.handle(request.method, route, rest, request.params, body, request.headers)
        if key and reply[0] < 300:
            self.store.remember_reply(key, scope, reply[0], reply[2])
        if reading:
            self._run_after_read(route.entity)
        return reply

    def _run_after_read(self, entity: str) -> None:
        due = [action for wanted, action in self._after_read if wanted == entity]
        self._after_read = [(wanted, action) for wanted, action in self._after_read if wanted != entity]
        for action in due:
            action()

    def _route(self, method: str, path: str) -> tuple[Route, list[str]]:
        for route in sorted(self.routes.values(), key=lambda r: -len(r.path)):
            if path == route.path or path.startswith(route.path + "/"):
                rest = [p for p in path[len(route.path):].split("/") if p]
                return route, rest
            if path.startswith(route.path + "(") and ")" in path[len(route.path):]:  # an OData key: `/customers(id)`
                key, _, after = path[len(route.path) + 1:].partition(")")
                return route, [key.strip("'"), *(p for p in after.split("/") if p)]
        first = path.strip("/").split("/")[0]
        if self.serve_any and first:
            # Not kept in `routes`: a made-up path would add one for good. Its records are kept under "/first",
            # which no described entity's key can be, so `/persons` never shares one with an entity `persons`
            # served at `/people`.
            return Route("/" + first, "/" + first), [p for p in path.strip("/").split("/")[1:] if p]
        served = ", ".join(sorted(r.path for r in self.routes.values())) or "nothing"
        raise UnexpectedRequest(f"fake {self.system} got {method} {path}, but serves only {served}", 404)

    def _check_base(self, path: str) -> None:
        if path != self.base_path and not path.startswith(self.base_path + "/"):
            raise UnexpectedRequest(f"fake {self.system} serves {self.base_url}, not {path}")

    def _entity_at(self, method: str, path: str) -> str:
        """The entity a path names, or "" (for the log of a refused request: nothing is said to its sender)."""
        try:
            return self._route(method, path)[0].entity
        except UnexpectedRequest:
            return ""

    def replayed_headers(self) -> dict[str, str]:
        """Headers marking an answer as the replay of an earlier one (none unless the API says so)."""
        return {}

    # to be filled in by each API
    def idempotency_reused(self) -> Reply:
        raise NotImplementedError

    def decode_body(self, request: WireRequest) -> dict:
        raise NotImplementedError

    def check_auth(self, request: WireRequest) -> Reply | None:
        raise NotImplementedError

    def fault_reply(self, fault: str) -> Reply:
        raise NotImplementedError

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict,
               headers: Any) -> Reply:
        raise NotImplementedError


def wire(reply: Reply) -> tuple[int, dict[str, str], bytes]:
    status, headers, payload = reply
    # strict JSON out, as in: a non-finite number would be a bug in a fake, not something to send
    return status, {"Content-Type": "application/json", **headers}, json.dumps(payload, allow_nan=False).encode()


def _scope(method: str, path: str, body: bytes) -> str:
    """What an idempotency key is bound to: the method, the path and the body it was first sent with."""
    return f"{method} {path} {hashlib.sha256(body).hexdigest()}"


def basic_user(authorization: str) -> str | None:
    """The user name of a basic Authorization header, or None."""
    return (basic_credentials(authorization) or (None, None))[0]


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """(user, password) of a basic Authorization header, or None."""
    if not authorization.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password
