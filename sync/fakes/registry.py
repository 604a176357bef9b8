"""Which fake plays a system: the one its API description's quirks name, configured by that description."""
from __future__ import annotations

from urllib.parse import urlsplit

from apis.description import describe

import importlib
from functools import cache

from ..names import slug
from .base import FakeApi
from .faults import FaultPlan
from .jsonrest import FakeJsonRest
from .store import FakeStore, LogicalClock


def test_base_url(system: str, number: int) -> str:
    """A harness's own address for `system`'s fake: a host of its own, the API's base path."""
    path = urlsplit(describe(system).url(system)).path.rstrip("/")
    return f"https://{slug(system, fallback='system')}.h{number}.fake.test{path}"


def fake_class(system: str) -> type[FakeApi]:
    """The class that fakes `system`'s API: the JSON fake, or the `FAKE` of the module `sync.fakes.<quirks>`
    its description names (a vendor's quirks are a module of their own, found by name)."""
    return _quirks_fake(describe(system).quirks)


@cache
def _quirks_fake(quirks: str) -> type[FakeApi]:
    return importlib.import_module(f"{__package__}.{quirks}").FAKE if quirks else FakeJsonRest


def fake_for(system: str, base_url: str, clock: LogicalClock, secret: str, faults: FaultPlan | None = None,
             store: FakeStore | None = None) -> FakeApi:
    """The fake of `system`'s API at `base_url`, accepting `secret` as its credential."""
    return fake_class(system)(system, base_url, clock, faults, store=store, api=describe(system), secret=secret)
