"""One `responses.RequestsMock` shared by every live fake, routing each request by host.

A mock per harness would not do: `responses` patches `HTTPAdapter.send` globally, so two
live harnesses (hypothesis makes many inside one test) would steal each other's requests.
One mock with a single catch-all callback per method, and a dict from host to fake, keeps
lookup constant however many harnesses a test has made. A request to a host no fake serves
fails loudly.

Each fake is a WSGI application: the callback turns the `requests.PreparedRequest` into a
WSGI environ and calls it, exactly as `fake-api serve` does for a request off a socket.
"""
from __future__ import annotations

import io
import re
import sys
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import responses

from .base import FakeApi, InjectedTimeout, UnexpectedRequest

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class FakeRouter:
    """Starts the shared mock when the first fake arrives and stops it when the last leaves.

    The mock and its callbacks are made once: a test suite starts and stops it once per test.
    """

    def __init__(self) -> None:
        self._fakes: dict[str, FakeApi] = {}
        self._mock: responses.RequestsMock | None = None
        self._started = False

    def add(self, fake: FakeApi) -> None:
        if fake.host in self._fakes and self._fakes[fake.host] is not fake:
            raise ValueError(f"host {fake.host} is already served by {self._fakes[fake.host]!r}")
        self._fakes[fake.host] = fake
        if not self._started:
            if self._mock is None:
                self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
                for method in _METHODS:
                    self._mock.add_callback(method, re.compile(r".*"), callback=self._route)
            self._mock.start()
            self._started = True

    def remove(self, fake: FakeApi) -> None:
        if self._fakes.get(fake.host) is fake:
            del self._fakes[fake.host]
        if not self._fakes and self._started and self._mock is not None:
            self._mock.stop(allow_assert=False)
            self._started = False
            # `responses` keeps every call, on the mock and on each callback: a test's calls go with it.
            self._mock.calls.reset()
            for callback in self._mock.registered():
                callback.calls.reset()

    def _route(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        host = urlsplit(request.url).netloc
        fake = self._fakes.get(host)
        if fake is None:
            served = ", ".join(sorted(self._fakes)) or "none"
            raise UnexpectedRequest(f"no fake API serves {request.method} {request.url} (hosts served: {served})")
        return call_wsgi(fake, wsgi_environ(request))


def wsgi_environ(request: requests.PreparedRequest) -> dict[str, Any]:
    """The WSGI environ a server would build for this request."""
    url = urlsplit(request.url)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method, "SCRIPT_NAME": "", "PATH_INFO": unquote(url.path),
        "QUERY_STRING": url.query, "SERVER_NAME": url.hostname or "", "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": request.headers.get("Content-Type", ""), "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.url_scheme": url.scheme, "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call_wsgi(app: FakeApi, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Calls a fake's WSGI application; an injected timeout becomes the exception requests raises."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = int(status.split(" ", 1)[0]), dict(headers)

    try:
        body = b"".join(app(environ, start_response))
    except InjectedTimeout as exc:
        raise (requests.ReadTimeout if exc.kind == "lost" else requests.ConnectTimeout)(str(exc)) from None
    return answer["status"], answer["headers"], body


ROUTER = FakeRouter()


def live_fakes() -> dict[str, Any]:
    """The fakes currently routed, by host (for diagnostics)."""
    return dict(ROUTER._fakes)
