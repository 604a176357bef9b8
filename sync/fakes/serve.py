"""`fake-api serve`: the tests' stateful fake of a system, served over real HTTP on loopback.

    fake-api serve SYSTEM [--host 127.0.0.1] [--port 0] [--api-key KEY | --token TOKEN] [--state FILE]
                          [--api-faults RATE] [--seed N] [--timeout SECONDS]

The first line on stdout is `serving SYSTEM at BASE_URL`, then how to point a client at it.
It serves the same WSGI application the tests route `responses` to (Chargebee's fake for
`chargebee`, the declared JSON REST fake for any other name) from a hardened threaded WSGI
server (`httpserver`: a real backlog, bounded threads, the caps of `wirelimits`, errors in
the API's own body), on an IPv4 or IPv6 loopback address, until SIGTERM or Ctrl-C (exit 0).
Records live in SQLite: in memory, or in `--state FILE`, kept across restarts and locked to
one process. `--api-faults RATE` answers that share of requests with 429 (Retry-After), 500 or
503, in the API's own error bodies, as the tests' option does.
"""
from __future__ import annotations

import argparse
import json
from collections import deque
from functools import partial
import ipaddress
import os
import secrets
import signal
import socket
import sys
import time
from typing import Any, Sequence
from urllib.parse import urlencode, urlsplit

from apis.description import describe

from .base import FakeApi, Route
from .faults import FaultPlan
from .httpserver import ServedFake, make_server  # noqa: F401  (ServedFake: the WSGI glue, for tests)
from .registry import fake_class, fake_for
from .statelock import StateInUse, lock_state
from .store import FakeStore, LogicalClock


def is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP))
    except (OSError, ValueError):
        return False


def build_fake(system: str, secret: str, store: FakeStore, faults: FaultPlan | None = None) -> FakeApi:
    """The fake a served SYSTEM answers with; its base URL is set once the port is known."""
    clock = LogicalClock(max(int(time.time()), store.last_stamp() or 0))
    fake = fake_for(system, describe(system).url(system), clock, secret, faults, store)
    fake.served = True  # a client without credentials is told nothing, not even which paths are wrong
    fake.serve_all()
    for entity, path, object_key, schema in store.served():  # a test's fake, kept in a repro bundle: its own paths
        fake.serve(Route(entity, path, object_key), json.loads(schema) if schema else None)
    return fake


def client_hint(system: str, base_url: str, secret_shown: str) -> list[str]:
    """How to point a client at the served fake."""
    api = describe(system)
    if api.quirks == "chargebee":
        return [
            "point Chargebee's official Python client (chargebee 3.x) at it:",
            "  import chargebee",
            f"  cb = chargebee.Chargebee(api_key={secret_shown!r}, site=\"fake\", protocol=\"http\")",
            "  chargebee.Chargebee.verify_ca_certs = False  # else the client still builds https URLs",
            f"  cb.env.api_endpoint = {base_url!r}",
            "  cb.Customer.create({\"id\": \"cust_1\", \"first_name\": \"Ada\"})",
            f"or curl: curl -u {secret_shown}: {base_url}/customers",
        ]
    hint = getattr(fake_class(system), "client_hint", None)
    if hint is not None:
        return hint(base_url, secret_shown)
    auth = (f"basic auth with user {api.auth.user!r} and password {secret_shown!r}" if api.auth.style == "basic"
            and api.auth.user else f"basic auth with user {secret_shown!r} and an empty password"
            if api.auth.style == "basic"
            else f"header '{api.auth.header}: {api.auth.prefix}{secret_shown}'" if api.auth.style == "bearer"
            else "no auth")
    for header, name in api.auth.headers:  # a subscription key beside the token: made from it, shown alike
        auth += f", and header '{header}: {_shown(secret_shown, name)}'"
    if api.auth.session is not None:
        session = api.auth.session
        shown = partial(_shown, secret_shown)
        query = "&".join(f"{param}={value}" for param, value in session.filled(shown, "<a date>").items())
        url = session.url(base_url)
        basic = session.filled_basic(shown)
        sent = "".join([f"?{query}" if query else "", f" with basic auth {basic[0]!r}:{basic[1]!r}" if basic else "",
                        f" and the form {urlencode(session.filled_form(shown))}" if session.form else ""])
        made = "the password" if api.auth.style == "basic" else "the token"
        auth += f" (or {made} a {session.method} {url}{sent} makes, at {session.token} of the answer)"
    where = (f"any collection path, e.g. {base_url}/records" if api.unknown_entities != "none" else
             "the collections " + ", ".join(sorted({f"{base_url}{e.path}" for e in api.entities.values() if e.operations})))
    return [
        f"{api.name} ({api.kind}): {where}; {auth};",
        f"lists answer {{{api.records!r}: [...]}} paged by {api.paging.style} ({api.paging.token}); "
        f"updates are {api.writes.update_method}; "
        + (f"it also offers {', '.join(api.offers())}" if api.offers()
           else "no idempotency key, conditional update or changed-since filter"),
    ]


def _shown(secret_shown: str, name: str) -> str:
    """A named secret as the fake makes it from the served one (`FakeJsonRest.named_secrets`), as shown."""
    return f"{secret_shown}-{name}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fake-api", description="The tests' stateful fake APIs, served over HTTP.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve one system's fake on loopback until SIGTERM or Ctrl-C")
    serve.add_argument("system", help="system name (chargebee, MemberCare, any other: the generic JSON REST fake)")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    secret = serve.add_mutually_exclusive_group()
    secret.add_argument("--api-key", help="the key clients must send (Chargebee's basic-auth user)")
    secret.add_argument("--token", help="the token clients must send (bearer systems)")
    serve.add_argument("--state", help="SQLite file holding the records across restarts (default: in memory)")
    serve.add_argument("--api-faults", type=float, default=0.0, metavar="RATE",
                       help="share of requests answered with 429 (Retry-After), 500 or 503 (default 0)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the fault sequence (default 0)")
    serve.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a client silent this long mid-request is dropped (default 10)")
    args = parser.parse_args(argv)
    args.host = args.host[1:-1] if args.host.startswith("[") and args.host.endswith("]") else args.host
    if not 0 < args.timeout <= 3600:  # NaN fails too; a socket takes no infinite timeout
        print(f"fake-api: error: --timeout must be a number of seconds above 0 and at most 3600, not {args.timeout}",
              file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"fake-api: error: --port must be 0 (any free port) to 65535, not {args.port}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"fake-api: error: --host {args.host!r} is not a loopback address; the fakes serve loopback only",
              file=sys.stderr)
        return 2
    given = args.api_key or args.token
    key = given or "test_" + secrets.token_hex(8)
    try:
        held = lock_state(args.state) if args.state else None
        store = FakeStore(args.state or ":memory:")
    except StateInUse as exc:
        print(f"fake-api: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # sqlite3.Error, OSError: a state file that cannot be opened
        print(f"fake-api: error: cannot open state {args.state!r}: {exc}", file=sys.stderr)
        return 2
    fake = build_fake(args.system, key, store, FaultPlan(args.api_faults, args.seed, kinds=("429", "500", "503")))
    fake.log = deque(maxlen=100)  # type: ignore[assignment]  # a long-running server keeps only the latest
    try:
        server = make_server(args.host, args.port, fake, args.timeout)
    except OSError as exc:
        print(f"fake-api: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    fake.base_url = f"http://{host}:{server.server_port}{urlsplit(fake.base_url).path}".rstrip("/")
    signal.signal(signal.SIGTERM, _interrupt)  # before the first line: a client may stop it right after
    try:
        print(f"serving {args.system} at {fake.base_url}", flush=True)
        for line in client_hint(args.system, fake.base_url, "<your key>" if given else key):
            print(line, flush=True)
        server.serve_forever()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already: a second SIGTERM must not cut it short
        server.server_close()
        store.close()
        if held is not None:
            os.close(held)
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    raise SystemExit(main())
