"""SuperOffice's own Swagger files (CRM REST WebAPI v1, the product's extract) judge the served SuperOffice fake,
through Schemathesis 4.

`fake-api serve superoffice` runs as a subprocess; Schemathesis generates requests for every operation the
fake serves (the OData archive list, get, create and PUT update of each entity `apis/superoffice/api.toml`
describes; Role is read only) from `apis/superoffice/openapi.json`, sends them over the socket with the access
token as `Authorization: Bearer` (the Swagger files' `SuperId` scheme; the ticket with its `SO-AppToken` that the
connector sends is tested apart), and holds each answer to four checks:
`not_a_server_error`, `status_code_conformance`, `response_schema_conformance` and
`content_type_conformance`. Gets and updates run twice: with generated ids (404s) and with the id of a record
made beforehand, so that they reach a record (an update then answers 200 or, where the Swagger files give the
entity a conditional update, 412 to a generated stale `If-Unmodified-Since`).

Generation is positive, seeded and bounded (`MAX_EXAMPLES` per operation). A disagreement SuperOffice's
Swagger files and the fake have is written down in `KNOWN` and its case xfails, naming it; any other fails
the test.
"""
from __future__ import annotations

import pytest

pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")


from apis.description import describe  # noqa: E402

from .conftest import Served  # noqa: E402
from .schemathesis_support import (Known, described_operations, extract_operations, judge,  # noqa: E402
                                   load_schema, settle)

pytestmark = pytest.mark.slow  # Schemathesis against a served fake

API = describe("superoffice")
TOKEN = "superoffice-access-token"
# The Swagger files' own scheme (SuperId): a bearer access token alone. The description's form, a system user's
# ticket with the application secret beside it, is held to the vendor's error body in its own test below.
HEADERS = {"Authorization": "Bearer " + TOKEN}
TICKET = {API.auth.header: API.auth.prefix + TOKEN}
APP_TOKEN = {header: f"{TOKEN}-{name}" for header, name in API.auth.headers}  # as fake-api serve makes it
SEED = 2572
MAX_EXAMPLES = 10
OPERATIONS = described_operations(API, extract_operations(API))


LISTS = tuple(operation.label for operation in OPERATIONS if operation.kind == "list")
WRITES = tuple(operation.label for operation in OPERATIONS if operation.kind in ("create", "update"))
ITEMS = tuple(operation.label for operation in OPERATIONS if operation.kind in ("retrieve", "update"))


def _error_type(found, *types: str) -> bool:
    return any(f'"ErrorType": "{kind}"' in found.answer for kind in types)


# What Schemathesis found the fake answering against SuperOffice's Swagger files and is not fixed yet.
KNOWN: tuple[Known, ...] = (
    # The vendor's schema, not the fake: ODataSlimResponse types each row's values as objects, while
    # SuperOffice's archive rows hold plain values (v1PersonEntity_GetAll.md's sample: "PrimaryKey": 4, ...),
    # as the fake's rows do.
    Known(LISTS, ("response_schema_conformance",),
          "SuperOffice's ODataSlimResponse types archive row values as objects; real rows (and the fake's) hold "
          "plain values (PrimaryKey: 4): the vendor's schema is wrong",
          matches=lambda found: found.status == 200 and 'is not of type "object"' in found.message),
    # SuperOffice documents its error answers in prose (rest-webapi/index.md, "Errors"), not in the Swagger
    # files, which give most operations only 200 (a list, a create, GET /api/v1/Product/{productId}) and an
    # update at most 400 and 412: a 404 for an id held by no record is then undocumented.
    Known(ITEMS, ("status_code_conformance",),
          "a missing id answers 404 SoNotFoundException (SuperOffice's documented error body); the Swagger files "
          "give this operation no 404",
          matches=lambda found: found.status == 404 and _error_type(found, "SoNotFoundException")),
    # The fake's own strictness, answered 400 where the Swagger files give the operation no 400: a $top outside
    # 1..10000 or a negative $skip, a $filter other than `<updated column> afterTime '<time>'` (the one filter
    # the fake evaluates; SuperOffice's archive takes any OData filter), and a body holding properties the
    # entity schema does not have.
    Known(LISTS + WRITES, ("status_code_conformance",),
          "the fake answers 400 (bad_request: $top outside 1..10000, negative $skip, or a $filter other than "
          "`<updated column> afterTime`; validation_error: properties the entity lacks) where the Swagger files "
          "give the operation no 400",
          matches=lambda found: found.status == 400 and _error_type(found, "bad_request", "validation_error")),
    # The fake's gap: the Swagger files let every create and update send application/json-patch+json,
    # application/merge-patch+json, application/x-www-form-urlencoded, application/xml and text/xml as well as
    # JSON; the fake takes JSON only and answers the others 415, which no operation documents.
    Known(WRITES, ("status_code_conformance",),
          "the fake takes JSON bodies only and answers 415 to the XML, form, JSON Patch and merge-patch bodies the "
          "Swagger files also declare for creates and updates",
          matches=lambda found: found.status == 415 and _error_type(found, "unsupported_media_type")),
)


@pytest.fixture(scope="module")
def superoffice():
    served = Served("superoffice", "--port", "0", "--token", TOKEN)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def schema(superoffice):
    return load_schema(API, superoffice.url, headers=HEADERS, seed=SEED, max_examples=MAX_EXAMPLES)


@pytest.fixture(scope="module")
def held(superoffice, session) -> dict[str, int]:
    """One record of each collection the fake creates, made with an empty entity (no field is required)."""
    ids = {}
    for operation in OPERATIONS:
        if operation.kind == "create":
            answer = session.post(superoffice.url + operation.template, json={}, headers=HEADERS)
            assert answer.status_code == 200, answer.text  # SuperOffice answers a create 200, never 201
            ids[operation.template] = answer.json()[API.entities[operation.entity].id_field]
    return ids


def test_the_operations_judged_are_those_the_description_claims():
    labels = {operation.label for operation in OPERATIONS}
    assert {"GET /api/v1/Person", "POST /api/v1/Person", "GET /api/v1/Person/{id}", "PUT /api/v1/Person/{id}",
            "GET /api/v1/Product/{productId}", "PUT /api/v1/Product/{id}", "GET /api/v1/Role",
            "GET /api/v1/Role/{id}", "POST /api/v1/User", "PUT /api/v1/Ticket/{id}"} <= labels
    assert not labels & {"POST /api/v1/Role", "PUT /api/v1/Role/{id}", "PATCH /api/v1/Person/{id}",
                         "POST /api/v1/Agents/Quote/GetQuoteLines"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_schemathesis_holds_the_fake_to_superoffice_openapi(operation, schema, session, held):
    judged = schema[operation.template][operation.method]
    statuses: list[int] = []
    found = judge(judged, session=session, seed=SEED, max_examples=MAX_EXAMPLES, statuses=statuses)
    collection = operation.template.rsplit("/", 1)[0]
    if operation.item_parameter and collection in held:
        found += judge(judged, session=session, seed=SEED, max_examples=MAX_EXAMPLES, statuses=statuses,
                       path_parameters={operation.item_parameter: held[collection]})
    assert statuses and 401 not in statuses, statuses  # every case carried the access token
    settle(found, KNOWN)
    if operation.item_parameter and collection in held:
        assert {200, 400, 412} & set(statuses), statuses  # the record made beforehand was reached


def test_a_ticket_is_let_in_only_with_its_app_token_and_refused_in_superoffices_error_body(superoffice, session, held):
    url = superoffice.url + "/api/v1/Person/" + str(held["/api/v1/Person"])
    refused = session.get(url, headers=TICKET)
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/json"
    assert set(refused.json()) == {"Error", "ErrorType", "ErrorMessage", "ErrorSource"}, refused.text
    assert "SO-AppToken" in refused.json()["ErrorMessage"]
    assert session.get(url, headers={**TICKET, "SO-AppToken": "another-app"}).status_code == 401
    assert session.get(url, headers={**TICKET, **APP_TOKEN}).status_code == 200
