"""PowerOffice Go API v2 as its extract (`apis/powerofficego/openapi.json`) has it, through the harness.

Bare-array lists paged by `PageNumber`/`PageSize` until a short page, `lastChangedDateTimeOffsetGreaterThan`
for changes, integer `Id`s, creates as JSON (201; `POST /Products` 200), updates as a JSON Patch only
(`application/json-patch+json`), 204 for a list with nothing in it, ProblemDetails errors. Every answer a
test reads from the fake is held against the extract's response schema for it.
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests

import apis.description
from apis.description import HERE, describe
from sync.connectors.powerofficego import PowerOfficeGoConnector
from sync.connectors.registry import connector_for
from sync.errors import ApiError
from sync.fakes.base import UnexpectedRequest
from sync.fakes.openapi import judge_of
from sync.fakes.powerofficego import FakePowerOfficeGo
from sync.fakes.store import LogicalClock

from .builders import mapping, prop

PO = "PowerOffice GO"  # as Sesam's documents spell it
EXTRACT = json.loads((HERE / "powerofficego" / "openapi.json").read_text(encoding="utf-8"))
JUDGE = judge_of("powerofficego", "openapi.json")


def into_customers(**kwargs):
    return mapping("Custom CRM Contact", (PO, "Customers"),
                   properties=[prop("name", "Name"), prop("email", "EmailAddress")], **kwargs)


def from_customers(**kwargs):
    return mapping((PO, "Customers"), "Custom CRM Contact", properties=[prop("Name", "name")], **kwargs)


def call(h, method, path, *, side="target", **kwargs) -> requests.Response:
    """A request to the PowerOffice fake as any client sends it (its bearer token and subscription key); the answer must fit the
    extract's response schema for its status."""
    fake = getattr(h, side).fake
    headers = {"Authorization": f"Bearer {fake.secret.reveal()}",
               "Ocp-Apim-Subscription-Key": fake.named_secrets["subscription_key"], **kwargs.pop("headers", {})}
    response = h.source_connector.session.request(method, fake.base_url + path, headers=headers, timeout=5, **kwargs)
    body = response.json() if response.content else None
    problems = JUDGE.response_problems(method, path, response.status_code, body)
    assert not problems, problems
    return response


@pytest.fixture
def small_pages(monkeypatch):
    """PowerOffice Go's description with pages of 3 (its own is 20 000), for connector and fake alike."""
    described = apis.description.described_systems()
    api = described["powerofficego"]
    small = replace(api, paging=replace(api.paging, max_size=3))
    monkeypatch.setattr(apis.description, "described_systems", lambda: {**described, "powerofficego": small})
    return small


# the description, held against the extract
def test_the_description_says_what_the_extract_shows():
    api = describe(PO)
    assert (api.key, api.kind, api.base_url) == ("powerofficego", "described", "https://goapi.poweroffice.net/v2")
    assert (api.records, api.id_field, api.id_type) == ("", "Id", "integer")
    assert (api.paging.style, api.paging.param, api.paging.size_param, api.paging.total) == (
        "page", "PageNumber", "PageSize", "")
    assert {"PageNumber", "PageSize", "MaxPageSize"} <= set(EXTRACT["components"]["schemas"]["ResourceParameters"]
                                                            ["properties"])
    assert (api.incremental.field, api.incremental.format, api.incremental.param) == (
        "LastChangedDateTimeOffset", "iso8601", "lastChangedDateTimeOffsetGreaterThan")
    assert (api.writes.update_method, api.writes.update_style, api.writes.conditional) == ("PATCH", "json_patch", None)
    for path, operations in EXTRACT["paths"].items():
        if "get" in operations and "{" not in path:  # every list: a bare array, the same changed-since parameter
            names = {p["name"] for p in operations["get"]["parameters"]}
            assert {api.incremental.param, "resourceParameter"} <= names, path
            assert operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
            assert "204" in operations["get"]["responses"]
        if "patch" in operations:  # every update: a JSON Patch document and nothing else
            assert list(operations["patch"]["requestBody"]["content"]) == ["application/json-patch+json"], path
    assert set(EXTRACT["paths"]["/Products"]["post"]["responses"]) & {"200", "201"} == {"200"}
    assert set(EXTRACT["paths"]["/Customers"]["post"]["responses"]) & {"200", "201"} == {"201"}
    for name in ("CustomerDto", "SupplierDto", "EmployeeDto", "DepartmentDto", "ProductDto", "ProjectDto",
                 "ContactPersonDto"):
        held = EXTRACT["components"]["schemas"][name]["properties"]
        assert held["Id"]["type"] == "integer" and held["LastChangedDateTimeOffset"]["format"] == "date-time", name


def test_what_the_documents_name_in_v1_s_shape_or_outside_the_extract_is_said_so():
    connector = connector_for(PO)
    assert "v1" in connector.unsupported("Contactperson", "list") and "partyId" in connector.unsupported(
        "Contactperson", "update")
    assert "costPrice" in connector.unsupported("Product", "create")
    assert "has no time-tracking activities" in connector.unsupported("Timetrackingactivity", "list")
    assert "not modelled in this product yet" in connector.unsupported("Salesorders", "list")
    assert "not modelled in this product yet" in connector.unsupported("Salesorderlines", "create")
    assert "no Invoices collection" in connector.unsupported("Invoices", "list")
    assert connector.unsupported("Customers (human data)", "update") is None
    assert connector.unsupported("Products", "create") is None
    assert isinstance(connector, PowerOfficeGoConnector)


# create, update
def test_a_create_is_a_json_post_and_the_record_comes_back_with_an_integer_id_and_change_time(sync_harness):
    h = sync_harness(into_customers())
    h.source.create({"name": "Ada", "email": "ada@example.no"})
    assert h.run_pass().created == 1
    [post] = [r for r in h.target.requests if r.method == "POST"]
    assert (post.path, post.body) == ("/Customers", {"Name": "Ada", "EmailAddress": "ada@example.no"})
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Authorization"] == "<redacted>"  # a bearer token went, and the log keeps no credential
    [record] = h.target.records()
    assert isinstance(record["Id"], int) and record["LastChangedDateTimeOffset"].endswith("Z")
    answer = call(h, "GET", f"/Customers/{record['Id']}")
    assert answer.json() == record


def test_a_product_create_answers_200_as_the_extract_says(sync_harness):
    h = sync_harness(mapping("Custom CRM Item", (PO, "Products"), properties=[prop("name", "Name")]))
    h.source.create({"name": "Footlong"})
    assert h.run_pass().created == 1
    created = call(h, "POST", "/Products", json={"Name": "Sandwich"})
    assert created.status_code == 200 and isinstance(created.json()["Id"], int)
    customers = sync_harness(into_customers())
    assert call(customers, "POST", "/Customers", json={"Name": "Ada"}).status_code == 201


def test_an_update_is_a_json_patch_of_what_changed(sync_harness):
    h = sync_harness(into_customers())
    sid = h.source.create({"name": "Ada", "email": "ada@example.no"})
    h.run_pass()
    [record] = h.target.records()
    h.target.edit(record["Id"], {"PhoneNumber": "+47 22 00 00 00"})  # edited in Go: the update must keep it
    h.source.edit(sid, {"name": "Augusta"})
    report = h.run_pass()
    assert not report.errors and report.writes
    [patch] = [r for r in h.target.requests if r.method == "PATCH"]
    assert patch.path == f"/Customers/{record['Id']}"
    assert patch.headers["Content-Type"] == "application/json-patch+json"
    assert patch.body == [{"op": "replace", "path": "/Name", "value": "Augusta"}]
    held = h.target.get(record["Id"])
    assert (held["Name"], held["EmailAddress"], held["PhoneNumber"]) == ("Augusta", "ada@example.no", "+47 22 00 00 00")
    assert held["LastChangedDateTimeOffset"] > record["LastChangedDateTimeOffset"]


def test_a_patch_sets_a_property_never_set_and_refuses_a_read_only_or_unknown_one(sync_harness):
    h = sync_harness(into_customers())
    rid = call(h, "POST", "/Customers", json={"Name": "Ada"}).json()["Id"]
    patched = call(h, "PATCH", f"/Customers/{rid}", data=json.dumps([
        {"op": "replace", "path": "/WebsiteUrl", "value": "https://ada.example.no"},
        {"op": "add", "path": "/MailAddress", "value": {"City": "Oslo", "ZipCode": "0150"}}]),
        headers={"Content-Type": "application/json-patch+json"})
    assert patched.status_code == 200
    assert patched.json()["WebsiteUrl"] == "https://ada.example.no"
    assert patched.json()["MailAddress"] == {"City": "Oslo", "ZipCode": "0150"}
    for op in ({"op": "replace", "path": "/Id", "value": 99},
               {"op": "replace", "path": "/LastChangedDateTimeOffset", "value": "2020-01-01T00:00:00Z"},
               {"op": "replace", "path": "/NoSuchField", "value": "x"},
               {"op": "replace", "path": "/IsPerson", "value": "yes"},
               {"op": "replace", "path": "/MailAddress/Street", "value": "x"},
               {"op": "frobnicate", "path": "/Name", "value": "x"}):
        refused = call(h, "PATCH", f"/Customers/{rid}", data=json.dumps([op]),
                       headers={"Content-Type": "application/json-patch+json"})
        assert refused.status_code == 400, op
        assert refused.json()["status"] == 400 and refused.json()["detail"], refused.json()
    assert h.target.get(rid)["Name"] == "Ada" and h.target.get(rid)["Id"] == rid


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/json", "text/json"])
def test_a_patch_body_that_is_not_a_json_patch_is_refused_and_nothing_is_applied(sync_harness, content_type):
    h = sync_harness(into_customers())
    rid = call(h, "POST", "/Customers", json={"Name": "Ada"}).json()["Id"]
    with pytest.raises(UnexpectedRequest, match="takes only application/json-patch\\+json") as refused:
        call(h, "PATCH", f"/Customers/{rid}", data=json.dumps({"Name": "Augusta"}),
             headers={"Content-Type": content_type})
    assert refused.value.status == 415  # what a served fake answers, as ASP.NET Core does for a type it does not take
    with pytest.raises(UnexpectedRequest, match="expects a JSON Patch array"):
        call(h, "PATCH", f"/Customers/{rid}", data=json.dumps({"Name": "Augusta"}),
             headers={"Content-Type": "application/json-patch+json"})
    assert h.target.get(rid)["Name"] == "Ada"


def test_a_served_fake_answers_a_merge_patch_415_in_problem_details():
    fake = FakePowerOfficeGo(PO, "https://po.served.fake.test/v2", LogicalClock(), api=describe(PO), secret="T")
    fake.serve_all()
    try:
        status, _, body = fake.unexpected(UnexpectedRequest("PowerOffice GO PATCH /Customers/1 takes only ...", 415))
    finally:
        fake.close()
    assert status == 415 and body["status"] == 415 and body["detail"] and body["title"]


# lists
def test_a_list_is_paged_by_page_number_until_a_short_page(sync_harness, small_pages):
    h = sync_harness(from_customers())
    for n in range(7):
        h.source.create({"Name": f"Customer {n}"})
    assert h.run_pass().created == 7
    lists = [r for r in h.source.requests if r.method == "GET"]
    assert [r.params.get("PageNumber") for r in lists] == ["1", "2", "3"]
    assert all(r.params["PageSize"] == "3" and r.path == "/Customers" for r in lists)
    assert all(set(r.params) == {"PageNumber", "PageSize"} for r in lists)  # the first pass asks for everything


def test_a_full_last_page_is_followed_by_a_204_that_ends_the_list(sync_harness, small_pages):
    h = sync_harness(from_customers())
    for n in range(6):
        h.source.create({"Name": f"Customer {n}"})
    report = h.run_pass()
    assert report.created == 6 and not report.errors
    assert [r.params.get("PageNumber") for r in h.source.requests if r.method == "GET"] == ["1", "2", "3"]
    past_the_end = call(h, "GET", "/Customers", side="source", params={"PageNumber": 3, "PageSize": 3})
    assert past_the_end.status_code == 204 and past_the_end.content == b""


def test_the_real_page_size_is_poweroffice_s_maximum(sync_harness):
    h = sync_harness(from_customers())
    h.source.create({"Name": "Ada"})
    h.run_pass()
    [first, *_] = [r for r in h.source.requests if r.method == "GET"]
    assert first.params == {"PageNumber": "1", "PageSize": "20000"}
    with pytest.raises(UnexpectedRequest, match="does not take"):
        call(h, "GET", "/Customers", side="source", params={"page": 1})
    too_big = call(h, "GET", "/Customers", side="source", params={"PageSize": 20001})
    assert too_big.status_code == 400 and too_big.json()["title"]


def test_the_second_pass_asks_only_for_what_changed_since_the_last_change_it_saw(sync_harness):
    h = sync_harness(from_customers())
    first = h.source.create({"Name": "Ada"})
    h.source.create({"Name": "Bo"})
    h.run_pass()
    seen = max(r["LastChangedDateTimeOffset"] for r in h.source.records())
    report = h.run_pass()  # nothing changed: Go answers 204, an empty page, not an error
    assert not report.errors and not report.writes
    h.source.edit(first, {"Name": "Augusta"})
    report = h.run_pass()
    assert not report.errors
    lists = [r for r in h.source.requests if r.method == "GET" and "/" not in r.path.strip("/")]
    assert "lastChangedDateTimeOffsetGreaterThan" not in lists[0].params
    assert lists[1].params["lastChangedDateTimeOffsetGreaterThan"] == seen
    assert lists[2].params["lastChangedDateTimeOffsetGreaterThan"] == seen
    answer = call(h, "GET", "/Customers", side="source", params={"lastChangedDateTimeOffsetGreaterThan": seen})
    assert [r["Name"] for r in answer.json()] == ["Augusta"]
    assert sorted(r["name"] for r in h.target.records()) == ["Augusta", "Bo"]


# errors
def test_errors_are_problem_details_and_the_connector_reads_either_spelling(sync_harness):
    h = sync_harness(into_customers())
    missing = call(h, "GET", "/Customers/424242")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    with pytest.raises(ApiError, match="no record 424242"):
        h.target_connector.get_record("Customers", "424242")
    unauthorized = call(h, "GET", "/Customers", headers={"Authorization": "Bearer not-the-token"})
    assert unauthorized.status_code == 401 and unauthorized.content == b""  # no body, as the extract has it
    pascal = requests.Response()
    pascal.status_code, pascal._content = 400, json.dumps({"Type": "about:blank", "Title": "Validation error(s)",
                                                           "Status": 400, "Detail": "Name is too long"}).encode()
    error = h.target_connector.error_of(pascal)
    assert (error.status, error.message, error.code) == (400, "Name is too long", "Validation error(s)")


def test_a_create_time_choice_the_read_schema_lacks_is_consumed_not_echoed(sync_harness):
    """`SubLedgerNumberSeriesId` is in CustomerPostDto (and SupplierPostDto, EmployeePostDto) but not in the closed
    CustomerDto: the fake takes it and answers, gets and lists without it (issue 25, item 1: Schemathesis found it
    echoed, a field PowerOffice's read schema lacks)."""
    h = sync_harness(into_customers())
    series = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    made = call(h, "POST", "/Customers", json={"Name": "Fjordkraft AS", "SubLedgerNumberSeriesId": series})
    assert made.status_code == 201 and "SubLedgerNumberSeriesId" not in made.json(), made.text
    got = call(h, "GET", f"/Customers/{made.json()['Id']}")
    listed = call(h, "GET", "/Customers")
    assert "SubLedgerNumberSeriesId" not in got.json() and all("SubLedgerNumberSeriesId" not in r for r in listed.json())
    assert series not in json.dumps(h.target.records())  # consumed, not kept
