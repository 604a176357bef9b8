"""The fakes of a test process served over real sockets on 127.0.0.1: the `http` transport.

`responses` hands each request straight to a fake, so nothing between the engine and the fake is
exercised: urllib3's pool, its timeouts, how a dropped connection surfaces. Under `--transport=http`
every harness's fakes are served instead by one threaded server per process (`httpserver`, the same
server as `fake-api serve`), each under a path prefix of its own (`/customcrm.h12` + the API's base
path), so the engine speaks HTTP to them exactly as to the vendor.

Faults are emulated at the socket: an injected timeout holds the connection unanswered until the client
gives up on it; a write "applied, response lost" closes it unanswered at once.
"""
from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from .base import FakeApi
from .httpserver import FakeHTTPServer, ServedFake

# The engine's read timeout in this mode (the connectors' test-mode knob). An injected timeout holds its connection
# until the client gives up on it, so what each costs is the client's read timeout: short where the fakes inject
# faults, and long elsewhere, where none is held and a loaded machine's slow answer must not be taken for a timeout
# (and sent again, which a check counting requests would see). A late answer where faults are injected is one more
# fault among those, and the engine waits longer for each retry of a read that timed out (sync/http.py).
READ_TIMEOUT = 2.0
FAULTS_READ_TIMEOUT = 0.05
# A client that never gives up (no read timeout) finds the connection closed unanswered after this long.
HOLD_LIMIT = 30.0


class _Dispatcher:
    """One WSGI application for every served fake, chosen by the first segment of the path."""

    def __init__(self) -> None:
        self.served: dict[str, ServedFake] = {}

    def __call__(self, environ: dict, start_response: Any) -> Any:
        prefix = "/" + environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
        served = self.served.get(prefix)
        if served is None:  # a harness already closed, or a path no harness gave out
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "24")])
            return [b"no fake serves this path"]
        return served(environ, start_response)

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        body = message.encode()
        return status, {"Content-Type": "text/plain", "Content-Length": str(len(body))}, body


class Loopback:
    """The process's loopback server, started with the first fake it serves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dispatcher = _Dispatcher()
        self._server: FakeHTTPServer | None = None

    def base_url(self, prefix: str, api_path: str) -> str:
        """Where a fake under `prefix` (one path segment, unique per harness and system) is served."""
        with self._lock:
            if self._server is None:
                self._server = FakeHTTPServer(("127.0.0.1", 0), self._dispatcher, read_timeout=30.0)  # type: ignore[arg-type]
                self._server.access_log = False
                threading.Thread(target=self._server.serve_forever, name="fakes-loopback", daemon=True).start()
            port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/{prefix}{api_path}"

    def add(self, fake: FakeApi) -> None:
        prefix = "/" + urlsplit(fake.base_url).path.lstrip("/").split("/", 1)[0]
        self._dispatcher.served[prefix] = ServedFake(fake, hold=HOLD_LIMIT)

    def remove(self, fake: FakeApi) -> None:
        prefix = "/" + urlsplit(fake.base_url).path.lstrip("/").split("/", 1)[0]
        served = self._dispatcher.served.get(prefix)
        if served is not None and served.fake is fake:
            del self._dispatcher.served[prefix]


LOOPBACK = Loopback()
