"""Business Central API v2.0 as its description says, through the harness: one company's scope, GUID keys in
parentheses, `value` lists paged by `@odata.nextLink`, `$filter=lastModifiedDateTime gt ...` for changes, and
PATCH with the `@odata.etag` it read in If-Match (a stale one 412, none at all refused)."""
from dataclasses import replace
import re

import pytest

from .builders import mapping, prop
from apis.description import describe
from apis.fields import fields_of
from sync.connectors.registry import connector_for
from sync.fakes.openapi import judge_of

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BC = ("Business Central", "Customers")


def into_bc(sync_harness):
    return sync_harness(mapping("Custom CRM Contact", BC, properties=[prop("name", "displayName")]))


def from_bc(sync_harness):
    return sync_harness(mapping(BC, "Custom CRM Contact", properties=[prop("displayName", "name")]))


def _bc(handle, method, path, **kwargs):
    """A request to the Business Central fake as any client would send it (its bearer token, JSON)."""
    fake = handle.fake
    headers = {"Authorization": f"Bearer {fake.secret.reveal()}", **kwargs.pop("headers", {})}
    return handle.fake_session.request(method, fake.base_url + path, timeout=5, headers=headers, **kwargs)


@pytest.fixture
def bc_target(sync_harness):
    h = into_bc(sync_harness)
    h.target.fake_session = h.target_connector.session
    return h


def test_the_api_lives_in_one_company_s_scope_and_its_claims_are_the_extract_s():
    api = describe("Business Central")
    assert api.url("Business Central") == \
        "https://api.businesscentral.dynamics.com/v2.0/production/api/v2.0/companies(account)"
    judge = judge_of(api.key, api.extract)
    verbs = {"list": ("GET", False), "create": ("POST", False), "retrieve": ("GET", True), "update": ("PATCH", True)}
    for entity in api.entities.values():
        for operation in entity.operations:
            method, keyed = verbs[operation]
            path = api.extract_prefix + (api.item_path.format(path=entity.path, id="{id}") if keyed else entity.path)
            found = judge.operation(method, path)
            assert found is not None, f"{entity.key}: {method} {path}"
            assert found[1]["responses"], path
    lines = connector_for("Business Central", entity="Salesorderlines")
    assert "only under their order" in lines.unsupported("Salesorderlines", "list")
    assert lines.unsupported("Salesorderlines", "create") is None
    assert "not modelled" in connector_for("Business Central").unsupported("Companies", "list")


def test_fields_microsoft_s_pages_leave_editable_but_the_api_computes_are_read_only():
    api = describe("Business Central")
    customer = fields_of(api, api.entity("Customers"))
    for computed in ("balanceDue", "taxAreaDisplayName", "id", "lastModifiedDateTime"):
        assert not customer.find(computed).writable, computed
    assert customer.find("displayName").writable and customer.find("number").writable  # a customer's number renames it
    assert not fields_of(api, api.entity("Vendors")).find("balance").writable
    assert not fields_of(api, api.entity("Salesorders")).find("customerName").writable


def test_a_create_posts_to_the_company_s_collection_and_gets_a_guid_and_an_etag(bc_target):
    h = bc_target
    h.source.create({"name": "Ada"})
    assert h.run_pass().created == 1
    [create] = [r for r in h.target.requests if r.method == "POST"]
    assert (create.path, create.body) == ("/customers", {"displayName": "Ada"})
    assert h.target.fake.base_path == "/v2.0/production/api/v2.0/companies(account)"
    [record] = h.target.records()
    assert GUID.match(record["id"]) and record["@odata.etag"].startswith('W/"')
    assert record["lastModifiedDateTime"].endswith("Z")


def test_an_update_is_a_patch_at_the_key_with_the_etag_it_read(bc_target):
    h = bc_target
    sid = h.source.create({"name": "Ada"})
    h.run_pass()
    [record] = h.target.records()
    read = record["@odata.etag"]
    h.source.edit(sid, {"name": "Augusta"})
    assert h.run_pass().updated == 1
    [patch] = [r for r in h.target.requests if r.method == "PATCH"]
    assert patch.path == f"/customers({record['id']})" and patch.body == {"displayName": "Augusta"}
    assert patch.headers["If-Match"] == read
    assert "@odata.etag" not in patch.body  # the ETag travels in If-Match, never in a body the extract closes
    after = h.target.get(record["id"])
    assert after["displayName"] == "Augusta" and after["@odata.etag"] != read


def test_a_stale_etag_is_refused_with_412_and_the_engine_reads_again(bc_target):
    h = bc_target
    sid = h.source.create({"name": "Ada"})
    h.run_pass()
    [record] = h.target.records()
    tid, read = record["id"], record["@odata.etag"]
    h.source.edit(sid, {"name": "Augusta"})
    # Someone edits the customer in Business Central right after the engine has listed it.
    h.target.after_next_read(lambda: h.target.edit(tid, {"phoneNumber": "555-0100"}))
    report = h.run_pass()
    assert report.updated == 1 and not report.errors
    first, second = [r for r in h.target.requests if r.method == "PATCH"]
    assert first.headers["If-Match"] == read  # planned on the listed version: refused as stale
    reread = [r for r in h.target.requests if r.method == "GET" and r.path == f"/customers({tid})"]
    assert len(reread) == 1 and second.headers["If-Match"] != read
    after = h.target.get(tid)
    assert (after["displayName"], after["phoneNumber"]) == ("Augusta", "555-0100")  # nothing of the edit lost


def test_the_api_refuses_a_patch_without_if_match_and_a_stale_one_and_takes_a_star(bc_target):
    h = bc_target
    h.source.create({"name": "Ada"})
    h.run_pass()
    [record] = h.target.records()
    key = f"/customers({record['id']})"
    bare = _bc(h.target, "PATCH", key, json={"displayName": "Bo"})
    assert bare.status_code == 400 and bare.json()["error"]["code"] == "BadRequest_InvalidToken"
    stale = _bc(h.target, "PATCH", key, json={"displayName": "Bo"}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "Request_EntityChanged"
    assert h.target.get(record["id"])["displayName"] == "Ada"
    fresh = _bc(h.target, "PATCH", key, json={"displayName": "Bo"}, headers={"If-Match": record["@odata.etag"]})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == fresh.json()["@odata.etag"] != record["@odata.etag"]
    star = _bc(h.target, "PATCH", key, json={"displayName": "Cy"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and h.target.get(record["id"])["displayName"] == "Cy"
    api = describe("Business Central")
    judge = judge_of(api.key, api.extract)
    assert judge.response_problems("PATCH", api.extract_prefix + key, 200, star.json()) == []  # @odata.etag is fine
    unknown = _bc(h.target, "PATCH", key, json={"nickname": "C"}, headers={"If-Match": "*"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "BadRequest"
    for computed in ({"balanceDue": 5}, {"lastModifiedDateTime": "2020-01-01T00:00:00Z"}):
        refused = _bc(h.target, "PATCH", key, json=computed, headers={"If-Match": "*"})
        assert refused.status_code == 400 and refused.json()["error"] == {
            "code": "BadRequest_InvalidOperation", "message": f"Control '{next(iter(computed))}' is read-only"}


def test_a_list_is_paged_by_the_odata_next_link(sync_harness):
    h = from_bc(sync_harness)
    fake = h.source.fake
    fake.api = replace(fake.api, paging=replace(fake.api.paging, max_size=2))  # 20,000 a page online: made small
    for n in range(5):
        h.source.create({"displayName": f"C{n}"})
    h.source.fake_session = h.source_connector.session
    page = _bc(h.source, "GET", "/customers").json()
    assert len(page["value"]) == 2 and "@odata" not in page
    assert page["@odata.nextLink"].startswith(fake.base_url + "/customers?") and "%24skiptoken=" in page["@odata.nextLink"]
    fake.log.clear()
    assert h.run_pass().created == 5
    lists = [r for r in h.source.requests if r.method == "GET"]
    assert [r.path for r in lists] == ["/customers"] * 3
    assert "$skiptoken" not in lists[0].params and all("$skiptoken" in r.params for r in lists[1:])
    assert sorted(r["name"] for r in h.target.records()) == [f"C{n}" for n in range(5)]


def test_changes_are_asked_for_with_a_filter_on_last_modified(sync_harness):
    h = from_bc(sync_harness)
    ids = [h.source.create({"displayName": name}) for name in ("Ada", "Bo")]
    h.run_pass()
    [first] = [r for r in h.source.requests if r.method == "GET"]
    assert "$filter" not in first.params
    newest = max(r["lastModifiedDateTime"] for r in h.source.records())
    h.source.edit(ids[1], {"displayName": "Bob"})
    assert h.run_pass().updated == 1
    [_, second] = [r for r in h.source.requests if r.method == "GET"]
    assert second.params == {"$filter": f"lastModifiedDateTime gt {newest}"}
    assert sorted(r["name"] for r in h.target.records()) == ["Ada", "Bob"]
