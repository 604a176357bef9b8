"""The HTTP server under `fake-api serve`: the standard library's WSGI server, hardened for hostile clients.

* A real listen backlog (128, not socketserver's 5) and a thread per connection, at most
  `MAX_THREADS` at once (the accept loop waits for a free one: the backlog queues the rest).
* A socket timeout per read, so an idle or trickling client gives its thread back.
* A request line over `wirelimits.MAX_TARGET` is 414; every error the HTTP layer finds itself
  (bad request line, HTTP/0.9, too many or too long headers) is answered as the fake's API
  answers it, in its own error body, never the library's HTML page or a 5xx.
* A request whose body was not read whole (refused unread: 401, 413, a bad Content-Length) is
  closed gracefully: the answer sent, our side shut, what the client still sends read and
  dropped for a moment, so it reads its answer instead of a connection reset.
* The access log on stderr is one line per request with every control character escaped, and
  never a header (they hold credentials) or a traceback.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from . import wirelimits
from .base import FakeApi, InjectedTimeout, UnexpectedRequest, wire

MAX_THREADS = 256
BACKLOG = 128
LINGER_SECONDS = 2.0
LINGER_BYTES = 64 * 1024 * 1024
CONNECTION = "fakes.connection"  # the environ key of the request's socket


def escaped(text: str) -> str:
    """`text` with every character that is not printable (controls, C1, separators) as a Python escape."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class DroppedConnection(ConnectionAbortedError):
    """Raised through wsgiref's handler (which returns quietly on a ConnectionAbortedError) to close a
    connection with nothing sent: how a stalled or crashed API looks from the client's side."""


class ServedFake:
    """WSGI glue: a request a fake does not serve gets the API's own 4xx instead of an exception, and a
    fault of the fake itself a 500 in the API's body and one line on stderr, not a traceback.

    An injected timeout is a connection held unanswered until the client gives up on it (it closes, whatever
    its read timeout), at most `hold` seconds, as a stalled API holds it; a write applied whose response is
    lost, one closed unanswered at once."""

    def __init__(self, fake: FakeApi, hold: float = 0.0):
        self.fake = fake
        self.hold = hold

    def __call__(self, environ: dict, start_response: Any) -> Any:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"], answer["headers"] = int(status.split(" ", 1)[0]), dict(headers)

        try:
            body = b"".join(self.fake(environ, capture))
            status, headers = answer["status"], answer["headers"]
        except InjectedTimeout as fault:
            if fault.kind == "timeout":
                _until_closed(environ.get(CONNECTION), self.hold)
            raise DroppedConnection(str(fault)) from None
        except UnexpectedRequest as problem:
            status, headers, body = self.error(problem.status, str(problem))
        except Exception as exc:  # a bug in a fake: said in one line, answered as the API answers a 500
            sys.stderr.write(escaped(f"fake-api: internal error: {type(exc).__name__}: {exc}")[:2000] + "\n")
            status, headers, body = self.error(500, "the fake could not answer this request")
        start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
        return [body]

    def error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        """The fake's API's error body for `status`."""
        return wire(self.fake.unexpected(UnexpectedRequest(message, status)))


def _until_closed(connection: socket.socket | None, at_most: float) -> None:
    """Waits, at most `at_most` s, for the client to close `connection` (its request was read whole)."""
    if connection is None or at_most <= 0:
        return
    deadline = time.monotonic() + at_most
    try:
        while (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            if not connection.recv(4096):  # closed: the client gave up; what else it sends is dropped
                return
    except OSError:  # timed out, or reset
        pass


class FakeHTTPServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    access_log = True  # off for the tests' loopback transport, where a suite makes hundreds of thousands
    request_queue_size = BACKLOG
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: ServedFake, read_timeout: float):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.read_timeout = read_timeout
        self._slots = threading.BoundedSemaphore(MAX_THREADS)
        super().__init__(address, FakeRequestHandler)
        self.set_app(app)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        kind, exc, _ = sys.exc_info()
        sys.stderr.write(escaped(f"{client_address[0]} connection error: {kind.__name__ if kind else '?'}: {exc}")
                         + "\n")


class _Handler(ServerHandler):
    def log_exception(self, exc_info: Any) -> None:  # one line, not a traceback
        sys.stderr.write(escaped(f"fake-api: error answering a request: {exc_info[0].__name__}: {exc_info[1]}")
                         + "\n")


class _CountingInput:
    """The request's body stream, counting what the application read of it (the rest is lingered over)."""

    def __init__(self, stream: Any):
        self.stream, self.consumed = stream, 0

    def read(self, size: int = -1) -> bytes:
        return self._count(self.stream.read(size))

    def read1(self, size: int = -1) -> bytes:
        return self._count(self.stream.read1(size))

    def readline(self, size: int = -1) -> bytes:
        return self._count(self.stream.readline(size))

    def _count(self, data: bytes) -> bytes:
        self.consumed += len(data)
        return data


class FakeRequestHandler(WSGIRequestHandler):
    server: FakeHTTPServer
    # wsgiref writes the status line and headers apart from the body: with Nagle's algorithm, each answer
    # then waits on the client's delayed ACK (40 ms on Linux loopback), which made a suite over sockets 6x slower.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        self.timeout = self.server.read_timeout
        self._unread = False
        super().setup()

    def handle(self) -> None:
        try:
            self._handle()
        finally:
            if self._unread:
                self._linger()

    def _handle(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(wirelimits.MAX_TARGET + 64)
        except TimeoutError:  # connected and said nothing: its thread is given back
            return
        if not self.raw_requestline:
            return
        if len(self.raw_requestline) > wirelimits.MAX_TARGET + 32:  # method, target, version and CRLF
            self.requestline, self.request_version, self.command = "", "HTTP/1.0", ""
            self.send_error(414, f"the request target is over {wirelimits.MAX_TARGET} bytes")
            return
        if not self.parse_request():
            return
        if self.request_version == "HTTP/0.9":  # it would be answered without a status line
            self.send_error(400, "HTTP/0.9 is not served")
            return
        body = _CountingInput(self.rfile)
        environ = self.get_environ()
        environ[CONNECTION] = self.connection  # for an injected timeout to hold until the client gives up
        handler = _Handler(body, self.wfile, sys.stderr, environ, multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())
        declared = environ.get("CONTENT_LENGTH", "").strip()
        whole = declared.isascii() and declared.isdigit() and len(declared) < 30 and body.consumed >= int(declared)
        self._unread = "HTTP_TRANSFER_ENCODING" in environ or bool(declared) and not whole

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The HTTP layer's own refusals, in the API's error body; a 505 (unknown HTTP version) is a 400."""
        code = 400 if code >= 500 else code
        self._unread = True  # whatever the client sent after what was refused is still on the socket
        if self.request_version in ("", "HTTP/0.9"):
            self.request_version = "HTTP/1.0"
        self.log_error("code %d, message %s", code, message)
        status, headers, body = self.server.get_app().error(code, message or HTTPStatus(code).phrase)
        self.send_response(status, HTTPStatus(status).phrase)
        for name, value in {**headers, "Content-Length": str(len(body)), "Connection": "close"}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _linger(self) -> None:
        """Shuts our side and drops what the client still sends, for a moment, before closing: closing
        with unread data would reset the connection, and the client lose the answer it was sent."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline, dropped = time.monotonic() + LINGER_SECONDS, 0
            while dropped < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:
            pass

    def address_string(self) -> str:
        return str(self.client_address[0])

    def log_message(self, format: str, *args: Any) -> None:
        """One access line per request on stderr, control characters escaped, never a header."""
        if not self.server.access_log:
            return
        sys.stderr.write(escaped(f"{self.address_string()} {format % args}") + "\n")


def make_server(host: str, port: int, fake: FakeApi, read_timeout: float) -> FakeHTTPServer:
    return FakeHTTPServer((host, port), ServedFake(fake), read_timeout)
