"""Business Central's own v2.0 reference (the extract) judges its fake, through schemathesis.

Every operation `apis/businesscentral/api.toml` claims is generated from the extract and sent to the fake (in
process, through the router the harness uses): no answer may be a server error, and each answer the extract
documents (200, 201) must hold to its response schema, `@odata.etag` and all. Keys are those of records made
beforehand, the company is the one the base URL holds, and If-Match is `*` (which matches any version), so that
reads and updates reach records rather than only 404s and 412s.
"""
from __future__ import annotations

import copy
import json
import re
import secrets

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from apis.description import HERE, describe  # noqa: E402
from sync.fakes.registry import fake_for  # noqa: E402
from sync.fakes.router import ROUTER  # noqa: E402
from sync.fakes.serve import ServedFake  # noqa: E402
from sync.fakes.store import LogicalClock  # noqa: E402

API = describe("Business Central")
TOKEN = "bc-contract-" + secrets.token_hex(4)
COMPANY = "account"  # what the description's base URL holds for {account}
BASE = "https://businesscentral.contract.fake.test" + API.url("Business Central").split(".com", 1)[1]
SERVER = BASE[: -len(f"/companies({COMPANY})")]
VERBS = {"list": ("get", False), "create": ("post", False), "retrieve": ("get", True), "update": ("patch", True)}


def _fake():
    fake = fake_for("Business Central", BASE, LogicalClock(), TOKEN)
    fake.serve_all()
    return fake


class Answering(ServedFake):
    """The fake as `fake-api serve` answers: a request it does not serve gets the API's own 4xx, not an exception."""

    @property
    def host(self) -> str:
        return self.fake.host


FAKE = _fake()
SEEDED = {entity.path: FAKE.hand_create(entity.key, {}) for entity in API.entities.values() if entity.operations}


def _claimed() -> dict:
    """The extract, holding only the operations the description claims, with keys that reach seeded records."""
    doc = copy.deepcopy(json.loads((HERE / API.key / API.extract).read_text(encoding="utf-8")))
    kept: dict[str, dict] = {}
    for entity in API.entities.values():
        for operation in entity.operations:
            method, keyed = VERBS[operation]
            path = API.extract_prefix + entity.path
            if keyed:
                path = next(p for p in doc["paths"] if re.fullmatch(re.escape(path) + r"\(\{[^}]+\}\)", p))
            op = doc["paths"][path][method]
            for parameter in op.get("parameters", ()):
                if parameter["name"] == "company_id":
                    parameter["schema"] = {"type": "string", "enum": [COMPANY]}
                elif parameter["in"] == "path":
                    parameter["schema"] = {"type": "string", "enum": [SEEDED[entity.path]]}
                elif parameter["name"] == "If-Match":
                    parameter["schema"] = {"type": "string", "enum": ["*"]}
            kept.setdefault(path, {})[method] = op
    doc["paths"] = kept
    doc["servers"] = [{"url": SERVER}]
    return doc


schema = schemathesis.openapi.from_dict(_claimed())
schema.config.phases.update(phases=["examples", "fuzzing"])  # not coverage's probes (TRACE, bodies typed text/plain)


@pytest.fixture(scope="module", autouse=True)
def routed():
    answering = Answering(FAKE)
    ROUTER.add(answering)  # type: ignore[arg-type]
    yield
    ROUTER.remove(answering)  # type: ignore[arg-type]


@pytest.mark.slow  # Schemathesis against the fake
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_fake_answers_every_claimed_operation_as_the_extract_says(case):
    case.call_and_validate(base_url=SERVER, headers={"Authorization": f"Bearer {TOKEN}"},
                           checks=[not_a_server_error, response_schema_conformance])


def test_every_claimed_operation_was_generated():
    claimed = {(entity.path, operation) for entity in API.entities.values() for operation in entity.operations}
    assert len(claimed) == sum(len(ops) for ops in _claimed()["paths"].values()) == 58
