"""HubSpot's official Python client (PyPI `hubspot-api-client` 12.x) judges the served HubSpot fake.

Every operation the connector relies on goes through the vendor's own client over a real socket
(`fake-api serve hubspot`), and every answer must deserialize into the client's own models and
exception classes. Where the fake and the client disagree, the fake is wrong.
"""
from __future__ import annotations

import json
import threading
import uuid

import pytest

hubspot = pytest.importorskip("hubspot", reason="the official client is in the test extra")

from hubspot import HubSpot  # noqa: E402
from hubspot.crm.associations.v4 import AssociationSpec  # noqa: E402
from hubspot.crm.associations.v4.schema import ApiException as LabelsApiException  # noqa: E402
from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest  # noqa: E402
from hubspot.crm.contacts import (ApiException, PublicObjectSearchRequest, SimplePublicObjectInput,  # noqa: E402
                                  SimplePublicObjectInputForCreate)
from hubspot.crm.contacts.exceptions import NotFoundException, UnauthorizedException  # noqa: E402
from hubspot.crm.objects.exceptions import NotFoundException as ObjectsNotFoundException  # noqa: E402

from apis.description import describe  # noqa: E402
from sync.connectors.registry import connector_for  # noqa: E402
from sync.credentials import Credentials, Secret  # noqa: E402

from .conftest import Served  # noqa: E402

pytestmark = pytest.mark.slow  # fake-api serve in a subprocess, driven by the official client

TOKEN = "pat-test-contract"


def client(url: str, token: str = TOKEN, **options) -> HubSpot:
    """The official client pointed at the fake: `host` goes onto every API module's Configuration."""
    return HubSpot(access_token=token, host=url, **options)


@pytest.fixture(scope="module", autouse=True)
def hubspot_is_described():
    """`fake-api serve hubspot` serves HubSpot's fake only where HubSpot's description names it."""
    assert describe("hubspot").quirks == "hubspot", (
        "fake-api serve hubspot would serve the generic API: apis/hubspot/api.toml is missing (still api.toml.next?)")


@pytest.fixture(scope="module")
def shared_hubspot():
    """One served HubSpot fake for the tests of this module that need no fresh state of their own."""
    served = Served("hubspot", "--port", "0", "--token", TOKEN)
    yield served
    served.stop()


@pytest.fixture
def hs(shared_hubspot) -> HubSpot:
    return client(shared_hubspot.url)


def unique_email() -> str:
    return f"c-{uuid.uuid4().hex[:12]}@example.com"


def error_body(exc) -> dict:
    """HubSpot's error JSON from an ApiException of any API module (its `.body` is text)."""
    body = json.loads(exc.body)
    assert body["status"] == "error" and body["message"] and body["correlationId"] and body["category"], body
    return body


def test_the_first_line_names_the_base_url_and_the_next_lines_the_client(serve):
    served = serve("hubspot", "--port", "0", "--token", TOKEN)
    assert served.first_line == f"serving hubspot at {served.url}"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(served.process.stdout.readline() for _ in range(4)),
                              daemon=True)
    reader.start()
    reader.join(30)
    assert f"HubSpot(access_token='<your key>', host='{served.url}')" in "".join(lines)
    assert served.stop() == 0


def test_create_get_and_update_a_contact(hs):
    contacts = hs.crm.contacts.basic_api  # each `.basic_api` access builds a new API client: keep one
    email = unique_email()
    created, status, _ = contacts.create_with_http_info(
        SimplePublicObjectInputForCreate(properties={"email": email, "firstname": "Ada", "lastname": "Lovelace"}))
    assert status == 201  # the client deserializes only a 201 here
    assert created.id.isdigit() and created.archived is False and created.created_at.tzinfo is not None
    assert created.properties["email"] == email and created.properties["hs_object_id"] == created.id

    got = contacts.get_by_id(created.id, properties=["email", "firstname"])
    assert got.properties["email"] == email and "lastname" not in got.properties  # only what was asked ...
    assert {"createdate", "lastmodifieddate", "hs_object_id"} <= set(got.properties)  # ... and these, always

    updated = contacts.update(created.id, SimplePublicObjectInput(properties={"firstname": "Augusta"}))
    assert updated.properties["firstname"] == "Augusta" and updated.updated_at > created.updated_at
    again = contacts.get_by_id(created.id)  # no `properties`: the object's defaults
    assert {"email", "firstname", "lastname"} <= set(again.properties) and again.properties["firstname"] == "Augusta"


@pytest.mark.parametrize("kind, properties, last_modified", [
    ("companies", {"name": "Acme", "domain": "acme.example"}, "hs_lastmodifieddate"),
    ("deals", {"dealname": "Big one", "amount": "100"}, "hs_lastmodifieddate"),
    ("line_items", {"name": "Widget", "quantity": "2"}, "hs_lastmodifieddate"),
    ("tickets", {"subject": "Help", "hs_pipeline_stage": "1"}, "hs_lastmodifieddate"),
])
def test_other_objects_round_trip(hs, kind, properties, last_modified):
    api = getattr(hs.crm, kind).basic_api
    created = api.create(SimplePublicObjectInputForCreate(properties=properties))
    got = api.get_by_id(created.id, properties=list(properties))
    assert {k: got.properties[k] for k in properties} == properties
    assert {"hs_object_id", "createdate", last_modified} <= set(got.properties)


def test_get_page_pages_with_after_and_returns_the_properties_asked_for(serve):
    hs = client(serve("hubspot", "--port", "0", "--token", TOKEN).url)
    contacts = hs.crm.contacts.basic_api
    made = [contacts.create(SimplePublicObjectInputForCreate(properties={"email": unique_email(), "lastname": "P"})).id
            for _ in range(5)]
    seen, after, pages = [], None, 0
    while True:
        page = contacts.get_page(limit=2, after=after, properties=["email", "lastname"], archived=False)
        pages += 1
        seen += [record.id for record in page.results]
        assert all("firstname" not in r.properties and r.properties["lastname"] == "P" for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == made and pages == 3
    assert [r.id for r in hs.crm.contacts.get_all(properties=["email"])] == made  # the client's own pager ends


def test_search_on_last_modified_pages_and_finds_only_what_changed(hs):
    contacts = hs.crm.contacts.basic_api
    first = contacts.create(SimplePublicObjectInputForCreate(properties={"email": unique_email()}))
    second = contacts.create(SimplePublicObjectInputForCreate(properties={"email": unique_email()}))
    since = str(int(first.updated_at.timestamp() * 1000))  # epoch milliseconds, as the connector sends
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": since}]}],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],  # typed list[str]; dicts pass
        properties=["email"], limit=1)
    found = hs.crm.contacts.search_api.do_search(request)
    ids = [r.id for r in found.results]
    assert found.total >= 1 and found.results[0].properties["email"]
    while found.paging and found.paging.next:
        request.after = found.paging.next.after
        found = hs.crm.contacts.search_api.do_search(request)
        ids += [r.id for r in found.results]
    assert second.id in ids and first.id not in ids
    none = hs.crm.contacts.search_api.do_search(PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "email", "operator": "EQ", "value": unique_email()}]}]))
    assert none.total == 0 and none.results == []


def test_owners_get_page_and_get_by_id(hs):
    owners = hs.crm.owners.owners_api
    page = owners.get_page(limit=10)
    owner = page.results[0]  # a served fake starts with its account's owner
    assert owner.id and owner.type == "PERSON" and owner.archived is False and owner.email
    assert owners.get_by_id(int(owner.id)).email == owner.email
    assert owners.get_by_id(owner.user_id, id_property="userId").id == owner.id
    assert owners.get_page(email=owner.email).results[0].id == owner.id


def test_associations_v4_create_get_page_archive_and_the_v3_view(hs):
    contact = hs.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": unique_email()}))
    company = hs.crm.companies.basic_api.create(SimplePublicObjectInputForCreate(properties={"name": "Acme"}))
    v4 = hs.crm.associations.v4.basic_api
    made = v4.create("contacts", contact.id, "companies", company.id,
                     association_spec=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)])
    assert (made.from_object_type_id, made.from_object_id, made.to_object_type_id, made.to_object_id) == (
        "0-1", contact.id, "0-2", company.id)
    assert made.labels == ["Primary"]
    [row] = v4.get_page("contacts", contact.id, "companies", limit=500).results
    assert row.to_object_id == company.id
    assert {(t.category, t.type_id, t.label) for t in row.association_types} == {
        ("HUBSPOT_DEFINED", 1, "Primary"), ("HUBSPOT_DEFINED", 279, None)}
    assert [r.to_object_id for r in v4.get_page("0-2", company.id, "contact").results] == [contact.id]
    v3 = hs.crm.contacts.basic_api.get_by_id(contact.id, associations=["companies"])
    assert {(a.id, a.type) for a in v3.associations["companies"].results} == {
        (company.id, "contact_to_company"), (company.id, "contact_to_company_unlabeled")}

    deal = hs.crm.deals.basic_api.create(SimplePublicObjectInputForCreate(properties={"dealname": "D"}))
    default = v4.create_default("deals", deal.id, "contacts", contact.id)
    assert default.status == "COMPLETE" and default.results[0].to.id == contact.id
    assert default.results[0].association_spec.association_type_id == 3

    assert v4.archive("contacts", contact.id, "companies", company.id) is None
    assert v4.get_page("contacts", contact.id, "companies").results == []


def test_association_labels_get_all_and_create(hs):
    labels = hs.crm.associations.v4.schema.definitions_api
    builtin = {(r.category, r.type_id): r.label for r in labels.get_all("contacts", "companies").results}
    assert builtin == {("HUBSPOT_DEFINED", 279): None, ("HUBSPOT_DEFINED", 1): "Primary"}
    name = f"boss_{uuid.uuid4().hex[:6]}"
    created = labels.create("contacts", "companies", PublicAssociationDefinitionCreateRequest(
        label=f"Boss {name}", name=name, inverse_label="Employer"))
    [boss] = [r for r in created.results if r.label == f"Boss {name}"]
    assert boss.category == "USER_DEFINED" and isinstance(boss.type_id, int)
    assert ("USER_DEFINED", boss.type_id) in {(r.category, r.type_id)
                                              for r in labels.get_all("contacts", "companies").results}
    contact = hs.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": unique_email()}))
    company = hs.crm.companies.basic_api.create(SimplePublicObjectInputForCreate(properties={"name": "Labelled"}))
    made = hs.crm.associations.v4.basic_api.create("contacts", contact.id, "companies", company.id, association_spec=[
        AssociationSpec(association_category="USER_DEFINED", association_type_id=boss.type_id)])
    assert made.labels == [f"Boss {name}"]
    with pytest.raises(LabelsApiException) as twice:
        labels.create("contacts", "companies", PublicAssociationDefinitionCreateRequest(label="Other", name=name))
    assert twice.value.status == 409 and error_body(twice.value)["category"] == "CONFLICT"


def test_401_on_a_wrong_token(shared_hubspot):
    with pytest.raises(UnauthorizedException) as caught:
        client(shared_hubspot.url, token="wrong").crm.contacts.basic_api.get_page(limit=1)
    assert error_body(caught.value)["category"] == "INVALID_AUTHENTICATION"


def test_404_on_an_unknown_id_and_an_unknown_path(hs, shared_hubspot):
    with pytest.raises(NotFoundException) as caught:
        hs.crm.contacts.basic_api.get_by_id("999999999")
    assert error_body(caught.value)["category"] == "OBJECT_NOT_FOUND"
    with pytest.raises(ObjectsNotFoundException) as unserved:
        hs.crm.objects.basic_api.get_page("widgets")
    assert error_body(unserved.value)["category"] == "OBJECT_NOT_FOUND"


def test_409_on_a_duplicate_email_names_the_existing_contact(hs):
    contacts = hs.crm.contacts.basic_api
    email = unique_email()
    first = contacts.create(SimplePublicObjectInputForCreate(properties={"email": email}))
    with pytest.raises(ApiException) as caught:  # no 409 subclass: the module's ApiException
        contacts.create(SimplePublicObjectInputForCreate(properties={"email": email.upper()}))
    assert caught.value.status == 409
    assert error_body(caught.value) | {"correlationId": ""} == {
        "status": "error", "category": "CONFLICT", "correlationId": "",
        "message": f"Contact already exists. Existing ID: {first.id}"}


def test_400_on_a_read_only_property_or_a_value_that_is_not_text(hs):
    for properties in ({"email": unique_email(), "hs_object_id": "5"}, {"email": unique_email(), "age": 42}):
        with pytest.raises(ApiException) as caught:
            hs.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=properties))
        assert caught.value.status == 400 and error_body(caught.value)["category"] == "VALIDATION_ERROR"


def test_faults_answer_429_with_hubspot_s_rate_limit_body_and_headers_500_and_503(serve):
    served = serve("hubspot", "--port", "0", "--token", TOKEN, "--api-faults", "1.0", "--seed", "1")
    # retry=False: urllib3 would otherwise retry a GET answered 429 with Retry-After three times first.
    contacts = client(served.url, retry=False).crm.contacts.basic_api
    answers = {}
    for _ in range(40):
        with pytest.raises(ApiException) as caught:
            contacts.get_page(limit=1)
        answers.setdefault(caught.value.status, caught.value)
    assert set(answers) == {429, 500, 503}  # --api-faults draws among the three
    limited = answers[429]
    body = error_body(limited)
    assert (body["category"], body["policyName"], body["errorType"]) == ("RATE_LIMITS", "TEN_SECONDLY_ROLLING",
                                                                         "RATE_LIMIT")
    assert int(limited.headers["Retry-After"]) >= 1 and limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert {error_body(answers[s])["category"] for s in (500, 503)} == {"INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}


def test_the_connector_speaks_to_the_served_fake_as_the_client_does(hs, shared_hubspot):
    """One fake, two transports: the connector the tests drive through `responses` works over the socket."""
    connector = connector_for("HubSpot", entity="Contact", base_url=shared_hubspot.url,
                              credentials=Credentials("bearer", token=Secret(TOKEN)))
    connector.wants(["properties.email", "properties.firstname"])
    created = connector.create_record("Contact", {"properties": {"email": unique_email(), "firstname": "Ada"}})
    connector.update_record("Contact", created["id"], {"properties": {"firstname": "Augusta"}}, created)
    held = hs.crm.contacts.basic_api.get_by_id(created["id"], properties=["firstname"])
    assert held.properties["firstname"] == "Augusta"
    records, _ = connector.list_records("Contact")
    assert created["id"] in [r["id"] for r in records]
    changed, _ = connector.list_records("Contact", since=created["updatedAt"])
    assert [r["id"] for r in changed] == [created["id"]]
