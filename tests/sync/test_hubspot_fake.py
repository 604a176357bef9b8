"""HubSpot's fake, in-process: every rule it keeps, through the `responses` router as a harness reaches it.

Every answer a test reads is checked against the response schema HubSpot's OpenAPI gives for it
(`hubspot_schemas.response_problems`), so a shape the official client would choke on fails here too.
"""
from __future__ import annotations

import itertools
import json

import pytest
import requests

from apis.description import HERE, describe, load
from sync.fakes.base import Route, UnexpectedRequest
from sync.fakes.faults import FaultPlan
from sync.fakes.hubspot import FakeHubSpot
from sync.fakes.hubspot_schemas import response_problems
from sync.fakes.router import ROUTER
from sync.fakes.store import CLOCK_START, LogicalClock

TOKEN = "pat-na1-test"
ROUTES = {"Contact": "/crm/v3/objects/contacts", "Company": "/crm/v3/objects/companies",
          "Deal": "/crm/v3/objects/deals", "Product": "/crm/v3/objects/products", "Owner": "/crm/v3/owners"}
CONTACTS = ROUTES["Contact"]
_hosts = itertools.count(1)


def description():
    """HubSpot's description; while it waits as api.toml.next for this fake (d09e02f), that file."""
    api = describe("HubSpot")
    return api if api.quirks == "hubspot" else load(HERE / "hubspot" / "api.toml.next")


def make_fake(faults: FaultPlan | None = None) -> FakeHubSpot:
    fake = FakeHubSpot("HubSpot", f"https://hubspot.t{next(_hosts)}.fake.test", LogicalClock(), faults,
                       api=description(), secret=TOKEN)
    for entity, path in ROUTES.items():
        fake.serve(Route(entity, path), {"properties.email": "string"} if entity == "Contact" else {})
    return fake


@pytest.fixture
def fake():
    made = make_fake()
    ROUTER.add(made)
    yield made
    ROUTER.remove(made)
    made.close()


def call(fake, method, path, *, token=TOKEN, **kwargs) -> requests.Response:
    """A request as any client sends it; its answer must fit HubSpot's OpenAPI."""
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})} if token else kwargs.pop("headers", {})
    response = requests.request(method, fake.base_url + path, headers=headers, timeout=5, **kwargs)
    body = response.json() if response.content else None
    assert not response_problems(method, path, response.status_code, body), response_problems(
        method, path, response.status_code, body)
    if response.status_code >= 400:
        assert body["status"] == "error" and body["message"] and body["category"] and body["correlationId"]
    return response


def create(fake, path=CONTACTS, **properties) -> dict:
    response = call(fake, "POST", path, json={"properties": properties})
    assert response.status_code == 201, response.text
    return response.json()


def search(fake, body, path=CONTACTS) -> requests.Response:
    return call(fake, "POST", path + "/search", json=body)


def ids(response) -> list[str]:
    return [r["id"] for r in response.json()["results"]]


# auth
@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_client_without_the_token_gets_hubspot_s_401_and_learns_nothing_else(fake, token):
    credentials = {"Authorization": f"Bearer {token}"} if token else {}
    for method, path, data in (("GET", CONTACTS, None), ("GET", "/crm/v3/objects/nowhere", None),
                               ("POST", CONTACTS, "{not json"), ("GET", f"{CONTACTS}?limit=1000", None)):
        response = requests.request(method, fake.base_url + path, data=data, timeout=5,
                                    headers={"Content-Type": "application/json", **credentials})
        assert response.status_code == 401
        assert response.json()["category"] == "INVALID_AUTHENTICATION" and set(response.json()) == {
            "status", "message", "correlationId", "category"}
    assert fake.store.all("Contact") == [] and all(r.headers.get("Authorization", "<redacted>") == "<redacted>"
                                                   for r in fake.log)


# records
def test_a_create_answers_201_with_the_record_in_hubspot_s_form_stamped_by_the_clock(fake):
    record = create(fake, email="ada@example.com", firstname="Ada")
    stamp = "2023-11-14T22:13:21.000Z"  # CLOCK_START + 1, the first tick
    assert CLOCK_START == 1_700_000_000
    assert record == {"id": record["id"], "createdAt": stamp, "updatedAt": stamp, "archived": False, "properties": {
        "email": "ada@example.com", "firstname": "Ada", "hs_object_id": record["id"], "createdate": stamp,
        "lastmodifieddate": stamp}}
    assert record["id"].isdigit() and record["id"] not in ("1", "2")
    assert fake.store.get("Contact", record["id"]) == record


def test_other_objects_stamp_hs_lastmodifieddate(fake):
    company = create(fake, ROUTES["Company"], name="Acme")
    assert {"hs_object_id", "createdate", "hs_lastmodifieddate"} <= set(company["properties"])
    assert "lastmodifieddate" not in company["properties"]


@pytest.mark.parametrize("value", [42, 1.5, True, None, {"a": "b"}, ["a"]])
def test_a_property_value_that_is_not_a_string_is_refused_naming_it(fake, value):
    response = call(fake, "POST", CONTACTS, json={"properties": {"email": "a@example.com", "age": value}})
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    assert "properties.age" in response.json()["message"]
    assert fake.store.all("Contact") == []


@pytest.mark.parametrize("method, body", [
    ("POST", {"properties": {}, "extra": 1}),
    ("PATCH", {"properties": {}, "associations": []}),  # SimplePublicObjectInput has no associations
    ("PATCH", {"property": {"email": "x@example.com"}}),
])
def test_a_body_with_a_field_hubspot_does_not_know_is_refused(fake, method, body):
    rid = create(fake, email="a@example.com")["id"]
    response = call(fake, method, CONTACTS + ("" if method == "POST" else f"/{rid}"), json=body)
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    assert len(fake.store.all("Contact")) == 1
    assert fake.store.get("Contact", rid)["properties"]["email"] == "a@example.com"


@pytest.mark.parametrize("name", ["hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"])
def test_a_read_only_property_cannot_be_written(fake, name):
    rid = create(fake, email="a@example.com")["id"]
    for method, path in (("POST", CONTACTS), ("PATCH", f"{CONTACTS}/{rid}")):
        response = call(fake, method, path, json={"properties": {name: "5"}})
        assert response.status_code == 400
        [problem] = response.json()["errors"]
        assert problem["code"] == "READ_ONLY_VALUE" and problem["context"] == {"propertyName": [name]}
    assert len(fake.store.all("Contact")) == 1


def test_properties_no_mapping_declared_are_taken_as_a_hubspot_account_has_custom_ones(fake):
    assert fake.schema["Contact"] == {"properties.email": "string"}  # declared, kept, and not a limit
    record = create(fake, email="a@example.com", shoe_size="44")
    assert fake.store.get("Contact", record["id"])["properties"]["shoe_size"] == "44"


def test_a_contact_whose_email_another_has_is_a_409_naming_it_ignoring_case(fake):
    first = create(fake, email="ada@example.com")
    response = call(fake, "POST", CONTACTS, json={"properties": {"email": "ADA@example.com"}})
    assert response.status_code == 409
    assert (response.json()["category"], response.json()["message"]) == (
        "CONFLICT", f"Contact already exists. Existing ID: {first['id']}")
    other = create(fake, email="bo@example.com")
    assert call(fake, "PATCH", f"{CONTACTS}/{other['id']}", json={"properties": {"email": "Ada@Example.com"}}
                ).status_code == 409
    assert call(fake, "PATCH", f"{CONTACTS}/{first['id']}", json={"properties": {"email": "ada@example.com"}}
                ).status_code == 200  # its own address
    assert create(fake, ROUTES["Company"], email="ada@example.com")  # companies have no unique e-mail
    assert len(fake.store.all("Contact")) == 2


def test_an_update_merges_and_an_empty_string_clears_a_property(fake):
    created = create(fake, email="a@example.com", firstname="Ada", lastname="Lovelace")
    response = call(fake, "PATCH", f"{CONTACTS}/{created['id']}", json={"properties": {"firstname": "Augusta",
                                                                                        "lastname": ""}})
    assert response.status_code == 200
    held = fake.store.get("Contact", created["id"])
    assert response.json() == held
    assert (held["properties"]["firstname"], held["properties"]["lastname"], held["properties"]["email"]) == (
        "Augusta", "", "a@example.com")
    assert held["createdAt"] == created["createdAt"] and held["updatedAt"] > created["updatedAt"]
    assert held["properties"]["lastmodifieddate"] == held["updatedAt"]


def test_an_unknown_id_is_a_404_object_not_found(fake):
    for method, kwargs in (("GET", {}), ("PATCH", {"json": {"properties": {"a": "b"}}})):
        response = call(fake, method, f"{CONTACTS}/999", **kwargs)
        assert (response.status_code, response.json()["category"]) == (404, "OBJECT_NOT_FOUND")


def test_a_record_is_read_by_a_unique_property_with_id_property(fake):
    rid = create(fake, email="ada@example.com")["id"]
    assert call(fake, "GET", f"{CONTACTS}/ADA@example.com", params={"idProperty": "email"}).json()["id"] == rid


def test_records_made_by_hand_hold_strings_as_a_user_typing_into_hubspot_makes_them(fake):
    rid = fake.hand_create("Contact", {"properties": {"age": 42, "vip": True, "score": 1.5, "tags": ["a", "b"],
                                                      "phone": None}})
    held = fake.store.get("Contact", rid)["properties"]
    assert {k: held[k] for k in ("age", "vip", "score", "tags", "phone")} == {
        "age": "42", "vip": "true", "score": "1.5", "tags": "a;b", "phone": ""}
    assert held["hs_object_id"] == rid and held["createdate"] == held["lastmodifieddate"]
    fake.hand_edit("Contact", rid, {"properties": {"age": 43, "vip": False}})
    held = fake.store.get("Contact", rid)
    assert (held["properties"]["age"], held["properties"]["vip"]) == ("43", "false")
    assert held["properties"]["lastmodifieddate"] == held["updatedAt"] > held["createdAt"]


def test_a_record_made_by_hand_with_a_field_outside_properties_or_properties_not_an_object_is_refused():
    fake = make_fake()
    with pytest.raises(ValueError, match="properties.<name>"):
        fake.hand_create("Contact", {"email": "a@example.com"})
    with pytest.raises(ValueError, match="one object of text values"):
        fake.hand_create("Contact", {"properties": [{"email": "a@example.com"}]})
    assert fake.store.all("Contact") == []
    fake.close()


# lists
def test_a_list_returns_the_object_s_default_properties_unless_others_are_asked_for(fake):
    create(fake, email="a@example.com", firstname="Ada", lastname="L", phone="123")
    [plain] = call(fake, "GET", CONTACTS).json()["results"]
    assert set(plain["properties"]) == {"email", "firstname", "lastname", "hs_object_id", "createdate",
                                        "lastmodifieddate"}
    for params in ({"properties": "phone,email"}, [("properties", "phone"), ("properties", "email")]):
        [asked] = call(fake, "GET", CONTACTS, params=params).json()["results"]
        assert set(asked["properties"]) == {"phone", "email", "hs_object_id", "createdate", "lastmodifieddate"}
    [unheld] = call(fake, "GET", CONTACTS, params={"properties": "fax"}).json()["results"]
    assert "fax" not in unheld["properties"]  # not null: HubSpot's OpenAPI types every value as a string


def test_a_list_pages_with_after_and_the_last_page_has_no_paging(fake):
    made = [create(fake, email=f"c{i}@example.com")["id"] for i in range(7)]
    seen, after, pages = [], None, []
    while True:
        body = call(fake, "GET", CONTACTS, params={"limit": 3, **({"after": after} if after else {})}).json()
        seen += [r["id"] for r in body["results"]]
        pages.append(body)
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert body["paging"]["next"]["link"].startswith(fake.base_url + CONTACTS + "?")
    assert seen == made and len(pages) == 3
    assert len(call(fake, "GET", CONTACTS).json()["results"]) == 7  # 10 by default


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_a_list_limit_outside_1_to_100_is_a_400(fake, limit):
    response = call(fake, "GET", CONTACTS, params={"limit": limit})
    assert (response.status_code, response.json()["category"]) == (400, "VALIDATION_ERROR")


def test_a_list_parameter_hubspot_does_not_take_fails_loudly(fake):
    with pytest.raises(UnexpectedRequest, match="updatedAfter"):
        call(fake, "GET", CONTACTS, params={"updatedAfter": "0"})


def test_archived_is_taken_as_the_client_spells_it(fake):
    rid = create(fake, email="a@example.com")["id"]
    assert ids(call(fake, "GET", CONTACTS, params={"archived": "False"})) == [rid]
    assert ids(call(fake, "GET", CONTACTS, params={"archived": "true"})) == []


def test_a_path_it_does_not_serve_fails_loudly_and_a_served_fake_answers_404_in_hubspot_s_form(fake):
    with pytest.raises(UnexpectedRequest, match="serves only") as caught:
        call(fake, "GET", "/crm/v3/objects/tickets")
    status, _, body = fake.unexpected(caught.value)
    assert (status, body["status"], body["category"]) == (404, "error", "OBJECT_NOT_FOUND") and body["correlationId"]


def test_only_strict_json_is_taken(fake):
    with pytest.raises(UnexpectedRequest, match="not JSON"):
        call(fake, "POST", CONTACTS, data='{"properties": {"a": NaN}}', headers={"Content-Type": "application/json"})
    with pytest.raises(UnexpectedRequest, match="JSON bodies") as caught:
        call(fake, "POST", CONTACTS, data="properties=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert caught.value.status == 415 and fake.store.all("Contact") == []


# search
def test_search_finds_changes_since_a_time_in_epoch_ms_or_iso_oldest_first(fake):
    old, mid, new = (create(fake, email=f"{n}@example.com") for n in ("old", "mid", "new"))
    fake.hand_edit("Contact", old["id"], {"properties": {"firstname": "Edited"}})  # now the newest
    since_ms = str((CLOCK_START + 1) * 1000)  # the first create's stamp
    for value in (since_ms, old["updatedAt"]):
        body = search(fake, {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT",
                                                            "value": value}]}],
                             "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                             "properties": ["email"], "limit": 2}).json()
        assert body["total"] == 3 and [r["id"] for r in body["results"]] == [mid["id"], new["id"]]
        assert set(body["results"][0]["properties"]) == {"email", "hs_object_id", "createdate", "lastmodifieddate"}
        rest = search(fake, {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT",
                                                            "value": value}]}], "sorts": ["lastmodifieddate"],
                             "limit": 2, "after": body["paging"]["next"]["after"]}).json()
        assert ids_of(rest) == [old["id"]] and "paging" not in rest


def ids_of(body: dict) -> list[str]:
    return [r["id"] for r in body["results"]]


@pytest.mark.parametrize("rule, expected", [
    ({"propertyName": "firstname", "operator": "EQ", "value": "ADA"}, ["ada"]),
    ({"propertyName": "firstname", "operator": "NEQ", "value": "ada"}, ["bo", "cy"]),
    ({"propertyName": "age", "operator": "LT", "value": "30"}, ["ada"]),
    ({"propertyName": "age", "operator": "GTE", "value": "9"}, ["ada", "bo"]),  # as numbers: 10 > 9
    ({"propertyName": "age", "operator": "BETWEEN", "value": "10", "highValue": "40"}, ["ada", "bo"]),
    ({"propertyName": "age", "operator": "HAS_PROPERTY"}, ["ada", "bo"]),
    ({"propertyName": "age", "operator": "NOT_HAS_PROPERTY"}, ["cy"]),
    ({"propertyName": "firstname", "operator": "IN", "values": ["bo", "cy"]}, ["bo", "cy"]),
    ({"propertyName": "firstname", "operator": "NOT_IN", "values": ["bo"]}, ["ada", "cy"]),
    ({"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@corp.example"}, ["bo"]),
])
def test_search_operators(fake, rule, expected):
    made = {"ada": create(fake, firstname="Ada", age="10", email="ada@example.com"),
            "bo": create(fake, firstname="Bo", age="40", email="bo@corp.example"),
            "cy": create(fake, firstname="Cy", email="cy@example.com")}
    found = ids(search(fake, {"filterGroups": [{"filters": [rule]}]}))
    assert found == [made[name]["id"] for name in expected]


def test_search_groups_are_or_filters_and_and_one_sort_may_run_descending(fake):
    a = create(fake, firstname="A", lastname="X", email="a@example.com")
    b = create(fake, firstname="B", lastname="Y", email="b@example.com")
    create(fake, firstname="C", lastname="X", email="c@example.com")
    body = {"filterGroups": [{"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "A"},
                                          {"propertyName": "lastname", "operator": "EQ", "value": "X"}]},
                             {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "B"}]}],
            "sorts": ["-firstname"]}
    assert ids(search(fake, body)) == [b["id"], a["id"]]
    two_sorts = search(fake, {"sorts": [{"propertyName": "a"}, {"propertyName": "b"}]})
    six_groups = search(fake, {"filterGroups": [{"filters": []}] * 6})
    assert two_sorts.status_code == six_groups.status_code == 400


def test_search_takes_at_most_200_a_page_and_carries_no_associations(fake):
    contact = create(fake, email="a@example.com")
    deal = create(fake, ROUTES["Deal"], dealname="D")
    fake.associate("Contact", contact["id"], "deals", deal["id"])
    assert search(fake, {"limit": 201}).status_code == 400
    [found] = search(fake, {"limit": 200}).json()["results"]
    assert "associations" not in found and set(found["properties"]) >= {"email", "hs_object_id"}


def test_a_search_is_a_read_for_the_harness_hooks(fake):
    happened = []
    fake.before_next_write(lambda: happened.append("write"))
    fake.after_next_read("Contact", lambda: happened.append("read"))
    search(fake, {})
    assert happened == ["read"]
    [logged] = [r for r in fake.log if r.path.endswith("/search")]
    assert not logged.is_write  # an unchanged pass that searches writes nothing


def test_a_search_answered_with_a_fault_is_still_logged_as_a_read():
    fake = make_fake(FaultPlan(1.0, kinds=("timeout",)))
    ROUTER.add(fake)
    try:
        with pytest.raises(requests.ConnectTimeout):
            requests.post(fake.base_url + CONTACTS + "/search", json={}, timeout=5,
                          headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        ROUTER.remove(fake)
        fake.close()
    [logged] = fake.log
    assert logged.fault == "timeout" and not logged.is_write


# owners
def test_owners_list_page_filter_by_email_and_read_by_id_or_user_id(fake):
    made = [fake.hand_create("Owner", {"email": f"o{i}@example.com", "firstName": f"O{i}"}) for i in range(3)]
    page = call(fake, "GET", "/crm/v3/owners/", params={"limit": 2}).json()
    assert [o["id"] for o in page["results"]] == made[:2]
    rest = call(fake, "GET", "/crm/v3/owners/", params={"limit": 2, "after": page["paging"]["next"]["after"]}).json()
    assert [o["id"] for o in rest["results"]] == made[2:] and "paging" not in rest
    [found] = call(fake, "GET", "/crm/v3/owners", params={"email": "O1@example.com"}).json()["results"]
    assert found["id"] == made[1] and found["type"] == "PERSON" and found["archived"] is False
    assert call(fake, "GET", f"/crm/v3/owners/{made[1]}").json() == found
    assert call(fake, "GET", f"/crm/v3/owners/{found['userId']}", params={"idProperty": "userId"}).json() == found
    assert call(fake, "GET", "/crm/v3/owners/999").status_code == 404
    assert call(fake, "GET", "/crm/v3/owners/", params={"limit": 501}).status_code == 400


def test_owners_are_read_only(fake):
    for method in ("POST", "PATCH", "DELETE"):
        with pytest.raises(UnexpectedRequest, match="read-only") as caught:
            requests.request(method, fake.base_url + "/crm/v3/owners/51", json={}, timeout=5,
                             headers={"Authorization": f"Bearer {TOKEN}"})
        assert caught.value.status == 405


# associations
def v4(a_type, a_id, b_type, b_id=None, default=False):
    return (f"/crm/v4/objects/{a_type}/{a_id}/associations/" + ("default/" if default else "") + b_type
            + (f"/{b_id}" if b_id else ""))


def test_a_v4_association_is_two_way_and_shows_in_v3_reads_of_both_records(fake):
    contact, company = create(fake, email="a@example.com"), create(fake, ROUTES["Company"], name="Acme")
    made = call(fake, "PUT", v4("contacts", contact["id"], "companies", company["id"]),
                json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}])
    assert made.status_code == 201 and made.json() == {"fromObjectTypeId": "0-1", "fromObjectId": contact["id"],
                                                       "toObjectTypeId": "0-2", "toObjectId": company["id"],
                                                       "labels": ["Primary"]}
    [row] = call(fake, "GET", v4("contacts", contact["id"], "companies")).json()["results"]
    assert row == {"toObjectId": company["id"], "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 279}]}
    [back] = call(fake, "GET", v4("0-2", company["id"], "contact")).json()["results"]
    assert back["toObjectId"] == contact["id"] and {t["typeId"] for t in back["associationTypes"]} == {2, 280}
    read = call(fake, "GET", f"{CONTACTS}/{contact['id']}", params={"associations": "companies,deals"}).json()
    assert read["associations"] == {"companies": {"results": [{"id": company["id"], "type": "contact_to_company"},
                                                              {"id": company["id"],
                                                               "type": "contact_to_company_unlabeled"}]}}
    [listed] = call(fake, "GET", ROUTES["Company"], params=[("associations", "contacts")]).json()["results"]
    assert listed["associations"]["contacts"]["results"][0]["id"] == contact["id"]
    assert "associations" not in fake.store.get("Contact", contact["id"])  # kept in their own table
    assert "associations" not in call(fake, "GET", f"{CONTACTS}/{contact['id']}").json()


def test_a_default_association_uses_the_pair_s_unlabeled_type_each_way(fake):
    contact, deal = create(fake, email="a@example.com"), create(fake, ROUTES["Deal"], dealname="D")
    body = call(fake, "PUT", v4("deals", deal["id"], "contacts", contact["id"], default=True)).json()
    assert body["status"] == "COMPLETE" and [(r["from"]["id"], r["to"]["id"], r["associationSpec"]["associationTypeId"])
                                             for r in body["results"]] == [(deal["id"], contact["id"], 3),
                                                                           (contact["id"], deal["id"], 4)]
    read = call(fake, "GET", f"{CONTACTS}/{contact['id']}", params={"associations": "deals"}).json()
    assert read["associations"]["deals"]["results"] == [{"id": deal["id"], "type": "contact_to_deal"}]


def test_v4_refuses_missing_records_unknown_types_and_unknown_objects(fake):
    contact, company = create(fake, email="a@example.com"), create(fake, ROUTES["Company"], name="Acme")
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]
    for path in (v4("contacts", "999", "companies", company["id"]), v4("contacts", contact["id"], "companies", "999")):
        assert call(fake, "PUT", path, json=spec).json()["category"] == "OBJECT_NOT_FOUND"
    wrong = call(fake, "PUT", v4("contacts", contact["id"], "companies", company["id"]),
                 json=[{"associationCategory": "USER_DEFINED", "associationTypeId": 279}])
    assert wrong.status_code == 400
    assert call(fake, "GET", v4("widgets", contact["id"], "companies")).json()["message"] == (
        "Unable to infer object type from: widgets")
    assert call(fake, "PUT", v4("contacts", contact["id"], "companies", company["id"]),
                json={"associationTypeId": 279}).status_code == 400  # the body is an array
    assert call(fake, "GET", v4("contacts", contact["id"], "companies")).json() == {"results": []}


def test_deleting_an_association_removes_every_type_both_ways_with_an_empty_204(fake):
    contact, company = create(fake, email="a@example.com"), create(fake, ROUTES["Company"], name="Acme")
    fake.associate("Contact", contact["id"], "companies", company["id"])
    response = call(fake, "DELETE", v4("contacts", contact["id"], "companies", company["id"]))
    assert response.status_code == 204 and response.content == b""
    assert call(fake, "GET", v4("companies", company["id"], "contacts")).json() == {"results": []}


def test_v4_associations_page(fake):
    contact = create(fake, email="a@example.com")
    deals = [create(fake, ROUTES["Deal"], dealname=f"D{i}")["id"] for i in range(3)]
    for deal in deals:
        call(fake, "PUT", v4("contacts", contact["id"], "deals", deal, default=True))
    first = call(fake, "GET", v4("contacts", contact["id"], "deals"), params={"limit": 2}).json()
    rest = call(fake, "GET", v4("contacts", contact["id"], "deals"),
                params={"limit": 2, "after": first["paging"]["next"]["after"]}).json()
    assert [r["toObjectId"] for r in first["results"] + rest["results"]] == deals and "paging" not in rest


def test_an_association_made_by_hand_or_on_create_lives_in_the_table_and_moves_last_modified(fake):
    company = create(fake, ROUTES["Company"], name="Acme")
    contact = call(fake, "POST", CONTACTS, json={"properties": {"email": "a@example.com"}, "associations": [
        {"to": {"id": company["id"]}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                "associationTypeId": 279}]}]}).json()
    assert [r["toObjectId"] for r in call(fake, "GET", v4("companies", company["id"], "contacts")).json()["results"]
            ] == [contact["id"]]
    before = fake.store.get("Contact", contact["id"])["updatedAt"]
    fake.associate("Contact", contact["id"], "deals", "d1")  # a deal this harness does not serve
    held = fake.store.get("Contact", contact["id"])
    assert "associations" not in held and held["updatedAt"] > before
    read = call(fake, "GET", f"{CONTACTS}/{contact['id']}", params={"associations": "deals"}).json()
    assert read["associations"] == {"deals": {"results": [{"id": "d1", "type": "contact_to_deal"}]}}
    bad = call(fake, "POST", CONTACTS, json={"properties": {"email": "b@example.com"}, "associations": [
        {"to": {"id": "999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]}]})
    assert bad.status_code == 400 and len(fake.store.all("Contact")) == 1


# labels
@pytest.mark.parametrize("labels", ["/crm/v4/associations", "/crm/associations/v4"])
def test_hubspot_defined_types_are_there_from_the_start_at_both_label_paths(fake, labels):
    results = call(fake, "GET", f"{labels}/contacts/companies/labels").json()["results"]
    assert {(r["category"], r["typeId"], r.get("label")) for r in results} == {
        ("HUBSPOT_DEFINED", 279, None), ("HUBSPOT_DEFINED", 1, "Primary")}
    assert [r["typeId"] for r in call(fake, "GET", f"{labels}/deals/contacts/labels").json()["results"]] == [3]


def test_user_labels_are_made_counted_renamed_and_deleted_and_a_second_of_one_name_is_a_409(fake):
    labels = "/crm/v4/associations/contacts/companies/labels"
    made = call(fake, "POST", labels, json={"label": "Boss", "name": "boss", "inverseLabel": "Employer"}).json()
    assert [(r["category"], r["typeId"], r["label"]) for r in made["results"]] == [
        ("USER_DEFINED", 1000, "Boss"), ("USER_DEFINED", 1001, "Employer")]
    assert ("USER_DEFINED", 1001, "Employer") in {(r["category"], r["typeId"], r.get("label")) for r in call(
        fake, "GET", "/crm/v4/associations/companies/contacts/labels").json()["results"]}
    again = call(fake, "POST", labels, json={"label": "Boss", "name": "boss2"})
    assert (again.status_code, again.json()["category"]) == (409, "CONFLICT")
    assert call(fake, "POST", labels, json={"label": "Peer", "name": "peer"}).json()["results"][0]["typeId"] == 1002
    contact, company = create(fake, email="a@example.com"), create(fake, ROUTES["Company"], name="Acme")
    used = call(fake, "PUT", v4("contacts", contact["id"], "companies", company["id"]),
                json=[{"associationCategory": "USER_DEFINED", "associationTypeId": 1000}]).json()
    assert used["labels"] == ["Boss"]
    assert call(fake, "PUT", labels, json={"associationTypeId": 1000, "label": "Chief"}).status_code == 204
    assert {r["typeId"]: r.get("label") for r in call(fake, "GET", labels).json()["results"]}[1000] == "Chief"
    assert call(fake, "DELETE", f"{labels}/1000").status_code == 204
    assert 1000 not in {r["typeId"] for r in call(fake, "GET", labels).json()["results"]}
    [row] = call(fake, "GET", v4("contacts", contact["id"], "companies")).json()["results"]
    assert {t["typeId"] for t in row["associationTypes"]} == {279}  # the label's associations went with it
    assert call(fake, "DELETE", f"{labels}/279").status_code == 400  # HubSpot's own
    assert call(fake, "DELETE", f"{labels}/4242").status_code == 404


def test_labels_exist_between_contacts_companies_deals_and_tickets_only(fake):
    response = call(fake, "POST", "/crm/v4/associations/products/deals/labels", json={"label": "X", "name": "x"})
    assert response.status_code == 400


# faults
def test_a_429_fault_answers_hubspot_s_rate_limit_body_and_headers():
    fake = make_fake(FaultPlan(1.0, kinds=("429",)))
    ROUTER.add(fake)
    try:
        response = call(fake, "GET", CONTACTS)
    finally:
        ROUTER.remove(fake)
        fake.close()
    assert response.status_code == 429
    body = response.json()
    assert (body["category"], body["errorType"], body["policyName"]) == ("RATE_LIMITS", "RATE_LIMIT",
                                                                         "TEN_SECONDLY_ROLLING")
    assert response.headers["Retry-After"] == "1" and response.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"


@pytest.mark.parametrize("kind, category", [("500", "INTERNAL_ERROR"), ("503", "SERVICE_UNAVAILABLE")])
def test_server_faults_answer_in_hubspot_s_error_body(kind, category):
    fake = make_fake(FaultPlan(1.0, kinds=(kind,)))
    ROUTER.add(fake)
    try:
        response = call(fake, "POST", CONTACTS, json={"properties": {}})
    finally:
        ROUTER.remove(fake)
        fake.close()
    assert (response.status_code, response.json()["category"]) == (int(kind), category)


def test_the_served_fake_tells_how_to_point_the_official_client_at_it():
    hint = "\n".join(FakeHubSpot.client_hint("http://127.0.0.1:5000", "<your key>"))
    assert "HubSpot(access_token='<your key>', host='http://127.0.0.1:5000')" in hint


def test_serve_all_serves_every_described_object_and_an_owner(fake):
    served = make_fake()
    served.routes.clear()
    served.serve_all()
    assert {r.path for r in served.routes.values()} >= {"/crm/v3/objects/line_items", "/crm/v3/owners",
                                                        "/crm/v3/objects/quotes"}
    [owner] = served.store.all(next(r.entity for r in served.routes.values() if r.path == "/crm/v3/owners"))
    assert owner["email"] and json.dumps(owner)
    served.close()
