"""The common machinery of a stateful fake API served by `responses` callbacks.

A fake is strict: a request it has no route for, or a malformed one, raises
`UnexpectedRequest` (an AssertionError, so no engine error handling can swallow it) with a
message saying why. It logs every request it receives, checks credentials, injects faults
(429 with Retry-After, 500, 503, timeouts, and writes applied whose response is lost), and
remembers the reply of every write sent with an idempotency key so a retry gets the same
answer instead of a second write.
"""
from __future__ import annotations

import base64
import json
import copy
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import requests

from ..paths import deep_merge, get_path, set_path
from .faults import FaultPlan
from .log import REDACTED, LoggedRequest
from . import wiretypes
from .store import FakeStore, LogicalClock

Reply = tuple[int, dict[str, str], Any]


class UnexpectedRequest(AssertionError):
    """A request the fake API does not serve; the message says what was asked and what is served."""


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

    def __init__(self, system: str, base_url: str, clock: LogicalClock, faults: FaultPlan | None = None):
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.faults = faults or FaultPlan()
        self.store = FakeStore()
        self.log: list[LoggedRequest] = []
        self.routes: dict[str, Route] = {}
        self.schema: dict[str, dict[str, str]] = {}  # entity -> path -> declared type
        self._before_write: list[Callable[[], None]] = []
        self._after_read: list[tuple[str, Callable[[], None]]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.system!r}, {self.base_url!r})"

    # set-up
    def serve(self, route: Route, schema: dict[str, str] | None = None) -> None:
        self.routes[route.entity] = route
        if schema:
            self.schema.setdefault(route.entity, {}).update(schema)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def dispatch(self, request: requests.PreparedRequest) -> Reply:
        """Answers one request addressed to this fake's host (the router calls this)."""
        if not (request.url or "").startswith(self.base_url + "/") and request.url != self.base_url:
            raise UnexpectedRequest(f"fake {self.system} serves {self.base_url}, not {request.url}")
        return self._dispatch(request)

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
        given = record.get(self.id_field)
        rid = str(given) if given not in (None, "") else self.store.new_id(entity)
        if self.store.get(entity, rid) is not None:
            raise ValueError(f"{self.system} {entity} {rid!r} already exists")
        record[self.id_field] = given if given not in (None, "") else rid
        stamp = self.clock.tick()
        self.store.insert(entity, rid, self.stamped(entity, record, stamp, True), stamp)
        return rid

    def hand_edit(self, entity: str, rid: str, changes: dict) -> None:
        current = self.store.get(entity, rid)
        if current is None:
            raise KeyError(f"{self.system} {entity} {rid!r} does not exist")
        stamp = self.clock.tick()
        self.store.replace(entity, rid, self.stamped(entity, deep_merge(current, changes), stamp, False), stamp)

    def stamped(self, entity: str, doc: dict, stamp: int, created: bool) -> dict:
        """The document with its updated-at (and whatever else the API stamps) set."""
        doc[self.updated_at_field] = stamp
        return doc

    # serving
    def _dispatch(self, request: requests.PreparedRequest) -> Reply:
        url = urlsplit(request.url)
        path = url.path[len(urlsplit(self.base_url).path):] or "/"
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        body = self.decode_body(request)
        headers = {k: (REDACTED if k.lower() == "authorization" else v) for k, v in request.headers.items()}
        route, rest = self._route(request.method, path)
        is_write = request.method != "GET"
        fault = self.faults.roll(is_write)
        self.log.append(LoggedRequest(request.method, path, params, copy.deepcopy(body), headers, route.entity, fault))
        denied = self.check_auth(request.headers.get("Authorization", ""))
        if denied:
            return _wire(denied)
        if fault in ("429", "500", "503"):
            return _wire(self.fault_reply(fault))
        if fault == "timeout":
            raise requests.ConnectTimeout(f"fake {self.system}: injected timeout")
        key = request.headers.get(self.idempotency_header) if is_write else None
        remembered = self.store.reply_for(key) if key else None
        if remembered:
            status, payload = remembered
            reply: Reply = (status, {"Content-Type": "application/json"}, payload)
        else:
            if is_write:
                while self._before_write:
                    self._before_write.pop(0)()
            reply = self.handle(request.method, route, rest, params, body, request.headers)
            if key and reply[0] < 300:
                self.store.remember_reply(key, reply[0], reply[2])
            if not is_write:
                self._run_after_read(route.entity)
        if fault == "lost":
            raise requests.ReadTimeout(f"fake {self.system}: write applied, response lost")
        return _wire(reply)

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
        served = ", ".join(sorted(r.path for r in self.routes.values())) or "nothing"
        raise UnexpectedRequest(f"fake {self.system} got {method} {path}, but serves only {served}")

    def typed(self, entity: str, decoded: dict, current: dict | None) -> dict:
        """Form text as the API's own types: declared ones, else the type the field already has."""
        schema = self.schema.get(entity, {})
        for path, data_type in schema.items():
            value = get_path(decoded, path)
            if value is not None and data_type:
                set_path(decoded, path, wiretypes.parse(value, data_type))
        for key, value in list(decoded.items()):
            held = wiretypes.type_name((current or {}).get(key))
            if key not in schema and held:
                decoded[key] = wiretypes.parse(value, held)
        return decoded

    # to be filled in by each API
    def decode_body(self, request: requests.PreparedRequest) -> dict:
        raise NotImplementedError

    def check_auth(self, authorization: str) -> Reply | None:
        raise NotImplementedError

    def fault_reply(self, fault: str) -> Reply:
        raise NotImplementedError

    def handle(self, method: str, route: Route, rest: list[str], params: dict, body: dict,
               headers: Any) -> Reply:
        raise NotImplementedError


def _wire(reply: Reply) -> Reply:
    status, headers, payload = reply
    return status, {"Content-Type": "application/json", **headers}, json.dumps(payload)


def basic_user(authorization: str) -> str | None:
    """The user name of a basic Authorization header, or None."""
    if not authorization.startswith("Basic "):
        return None
    try:
        return base64.b64decode(authorization[6:]).decode().split(":", 1)[0]
    except Exception:
        return None
