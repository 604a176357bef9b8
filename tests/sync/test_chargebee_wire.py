"""The Chargebee connector against the Chargebee fake: auth, envelopes, paging, errors, idempotency."""
import base64

import pytest

from .builders import mapping, prop
from sync.errors import ApiError


def cb_mapping(**kw):
    return mapping("Custom CRM Contact", "Chargebee Customer", properties=[
        prop("first_name", "first_name"), prop("city", "billing_address.city"), prop("zip", "billing_address.zip"),
    ], **kw)


def test_reads_use_basic_auth_with_the_api_key_as_user(sync_harness):
    h = sync_harness(cb_mapping())
    h.run_pass()
    [listing] = h.target.requests
    assert listing.headers["Authorization"] == "<redacted>"  # the fake checked it; the log never keeps it
    assert listing.method == "GET" and listing.params == {"limit": "100", "sort_by[asc]": "updated_at"}


def test_lists_page_with_next_offset_and_limit_100(sync_harness):
    h = sync_harness(mapping("Chargebee Customer", "MemberCare Persons", properties=[prop("email", "email")]))
    for i in range(230):
        h.source.create({"email": f"c{i}@example.com"})
    assert h.run_pass().created == 230
    lists = [r for r in h.source.requests if r.method == "GET"]
    assert len(lists) == 3
    assert "offset" not in lists[0].params and all(r.params["limit"] == "100" for r in lists)
    assert lists[1].params["offset"] and lists[2].params["offset"] != lists[1].params["offset"]


def test_incremental_reads_filter_on_updated_at_after(sync_harness):
    h = sync_harness(mapping("Chargebee Customer", "MemberCare Persons", properties=[prop("email", "email")]))
    cid = h.source.create({"email": "a@example.com"})
    h.run_pass()
    h.source.edit(cid, {"email": "b@example.com"})
    h.run_pass()
    last = [r for r in h.source.requests if r.method == "GET"][-1]
    assert int(last.params["updated_at[after]"]) <= h.source.get(cid)["updated_at"]
    assert [p["email"] for p in h.target.records()] == ["b@example.com"]


def test_creates_are_form_encoded_with_nested_keys_and_an_idempotency_key(sync_harness):
    h = sync_harness(cb_mapping())
    h.source.create({"first_name": "Ada", "city": "Oslo", "zip": "0150"})
    h.run_pass()
    [create] = [r for r in h.target.requests if r.method == "POST"]
    assert create.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert create.body == {"first_name": "Ada", "billing_address": {"city": "Oslo", "zip": "0150"}}
    assert create.headers["chargebee-idempotency-key"]
    [customer] = h.target.records()
    assert customer["billing_address"] == {"city": "Oslo", "zip": "0150"} and customer["object"] == "customer"


def test_billing_address_updates_go_through_update_billing_info(sync_harness):
    h = sync_harness(cb_mapping())
    sid = h.source.create({"first_name": "Ada", "city": "Oslo"})
    h.run_pass()
    [(_, cid)] = h.links()
    h.source.edit(sid, {"city": "Bergen"})
    h.run_pass()
    writes = [(r.method, r.path, r.body) for r in h.target.requests if r.is_write]
    assert writes[-1] == ("POST", f"/customers/{cid}/update_billing_info", {"billing_address": {"city": "Bergen"}})
    assert h.target.get(cid)["billing_address"] == {"city": "Bergen"}
    h.source.edit(sid, {"first_name": "Augusta"})
    h.run_pass()
    assert [(r.path, r.body) for r in h.target.requests if r.is_write][-1] == (f"/customers/{cid}",
                                                                                 {"first_name": "Augusta"})


def test_errors_carry_chargebee_s_own_message_and_code(sync_harness):
    h = sync_harness(cb_mapping())
    with pytest.raises(ApiError) as raised:
        h.target_connector.get_record("Customer", "nope")
    assert raised.value.status == 404 and raised.value.code == "resource_not_found"
    assert "couldn't find" in raised.value.message


def test_a_duplicate_id_is_refused_with_duplicate_entry(sync_harness):
    h = sync_harness(cb_mapping())
    h.target.create({"id": "cust_1"})
    with pytest.raises(ApiError) as raised:
        h.target_connector.create_record("Customer", {"id": "cust_1"})
    assert (raised.value.status, raised.value.code) == (400, "duplicate_entry")


def test_entities_without_a_public_endpoint_are_modelled_in_the_same_conventions(sync_harness):
    h = sync_harness(mapping("Custom CRM Customer", "Chargebee Business_entity"))
    h.source.create({"name": "Acme"})
    h.run_pass()
    assert [r.path for r in h.target.requests] == ["/business_entities", "/business_entities"]
    [entity] = h.target.records()
    assert entity["object"] == "business_entity"


def test_the_wrong_api_key_is_refused(sync_harness):
    h = sync_harness(cb_mapping())
    auth = "Basic " + base64.b64encode(b"wrong:").decode()
    response = h.target_connector.session.get(h.target.fake.base_url + "/customers",
                                               headers={"Authorization": auth})
    assert response.status_code == 401 and response.json()["api_error_code"] == "api_authentication_failed"
