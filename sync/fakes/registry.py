"""Which fake plays a system: the one its API description's quirks name, configured by that description."""
from __future__ import annotations

from urllib.parse import urlsplit

from apis.description import describe

from ..names import slug
from .base import FakeApi
from .chargebee import FakeChargebee
from .faults import FaultPlan
from .jsonrest import FakeJsonRest
from .store import FakeStore, LogicalClock

FAKES: dict[str, type[FakeApi]] = {"": FakeJsonRest, "chargebee": FakeChargebee}


def test_base_url(system: str, number: int) -> str:
    """A harness's own address for `system`'s fake: a host of its own, the API's base path."""
    path = urlsplit(describe(system).url(system)).path.rstrip("/")
    return f"https://{slug(system, fallback='system')}.h{number}.fake.test{path}"


def fake_class(system: str) -> type[FakeApi]:
    """The class that fakes `system`'s API, by its description's quirks."""
    quirks = describe(system).quirks
    if quirks == "hubspot" and "hubspot" not in FAKES:
        from .hubspot import FakeHubSpot  # noqa: PLC0415
        FAKES["hubspot"] = FakeHubSpot
    return FAKES[quirks]


def fake_for(system: str, base_url: str, clock: LogicalClock, secret: str, faults: FaultPlan | None = None,
             store: FakeStore | None = None) -> FakeApi:
    """The fake of `system`'s API at `base_url`, accepting `secret` as its credential."""
    return fake_class(system)(system, base_url, clock, faults, store=store, api=describe(system), secret=secret)
