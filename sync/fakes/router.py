"""One `responses.RequestsMock` shared by every live fake, routing each request by host.

A mock per harness would not do: `responses` patches `HTTPAdapter.send` globally, so two
live harnesses (hypothesis makes many inside one test) would steal each other's requests.
One mock with a single catch-all callback per method, and a dict from host to fake, keeps
lookup constant however many harnesses a test has made. A request to a host no fake serves
fails loudly.
"""
from __future__ import annotations

import re
from typing import Any

import requests
import responses
from urllib.parse import urlsplit

from .base import FakeApi, Reply, UnexpectedRequest

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class FakeRouter:
    """Starts the shared mock when the first fake arrives and stops it when the last leaves."""

    def __init__(self) -> None:
        self._fakes: dict[str, FakeApi] = {}
        self._mock: responses.RequestsMock | None = None

    def add(self, fake: FakeApi) -> None:
        if fake.host in self._fakes and self._fakes[fake.host] is not fake:
            raise ValueError(f"host {fake.host} is already served by {self._fakes[fake.host]!r}")
        self._fakes[fake.host] = fake
        if self._mock is None:
            mock = responses.RequestsMock(assert_all_requests_are_fired=False)
            for method in _METHODS:
                mock.add_callback(method, re.compile(r".*"), callback=self._route)
            mock.start()
            self._mock = mock

    def remove(self, fake: FakeApi) -> None:
        if self._fakes.get(fake.host) is fake:
            del self._fakes[fake.host]
        if not self._fakes and self._mock is not None:
            self._mock.stop(allow_assert=False)
            self._mock.reset()
            self._mock = None

    def _route(self, request: requests.PreparedRequest) -> Reply:
        host = urlsplit(request.url).netloc
        fake = self._fakes.get(host)
        if fake is None:
            served = ", ".join(sorted(self._fakes)) or "none"
            raise UnexpectedRequest(f"no fake API serves {request.method} {request.url} (hosts served: {served})")
        return fake.dispatch(request)


ROUTER = FakeRouter()


def live_fakes() -> dict[str, Any]:
    """The fakes currently routed, by host (for diagnostics)."""
    return dict(ROUTER._fakes)
