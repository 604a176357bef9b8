"""The Chargebee connector against the Chargebee fake: auth, envelopes, paging, errors, idempotency."""
import base64

import pytest

from .builders import mapping, prop
from sync.errors import ApiError
from sync.fakes.base import UnexpectedRequest


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


def test_billing_address_updates_send_the_whole_billing_info_through_update_billing_info(sync_harness):
    h = sync_harness(cb_mapping())
    sid = h.source.create({"first_name": "Ada", "city": "Oslo"})
    h.run_pass()
    [(_, cid)] = h.links()
    h.target.edit(cid, {"billing_address": {"line1": "Karl Johans gate 1"}, "vat_number": "NO123"})
    h.source.edit(sid, {"city": "Bergen"})
    h.run_pass()
    writes = [(r.method, r.path, r.body) for r in h.target.requests if r.is_write]
    # update_billing_info replaces the billing info: what is not sent would be cleared on a real site.
    assert writes[-1] == ("POST", f"/customers/{cid}/update_billing_info", {
        "billing_address": {"city": "Bergen", "line1": "Karl Johans gate 1"}, "vat_number": "NO123"})
    held = h.target.get(cid)
    assert held["billing_address"] == {"city": "Bergen", "line1": "Karl Johans gate 1"}
    assert held["vat_number"] == "NO123"
    h.source.edit(sid, {"first_name": "Augusta"})
    h.run_pass()
    assert [(r.path, r.body) for r in h.target.requests if r.is_write][-1] == (f"/customers/{cid}",
                                                                                 {"first_name": "Augusta"})


def test_the_fake_clears_billing_fields_a_partial_update_billing_info_leaves_out(sync_harness):
    # Broken on purpose: a connector sending only the changed sub-field loses the rest, as Chargebee would.
    h = sync_harness(cb_mapping())
    cid = h.target.create({"billing_address": {"city": "Oslo", "line1": "Storgata 1"}, "vat_number": "NO1"})
    h.target_connector._send("update", "POST", f"/customers/{cid}/update_billing_info",
                             data=[("billing_address[city]", "Bergen")])
    held = h.target.get(cid)
    assert held["billing_address"] == {"city": "Bergen"} and "vat_number" not in held


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


def test_what_the_public_api_lacks_is_declared_not_invented(sync_harness):
    h = sync_harness(mapping("Custom CRM Customer", "Chargebee Business_entity"))
    assert "no create, list, retrieve or update of business entities" in h.unsupported()
    with pytest.raises(UnexpectedRequest, match="no GET /business_entities"):
        h.target_connector.list_records("Business_entity")
    addresses = sync_harness(mapping("Chargebee Address", "Custom CRM Account"))
    assert addresses.unsupported().startswith("Chargebee's public API has no list of all addresses")
    items = sync_harness(mapping("Custom CRM Product", "Chargebee Item", properties=[prop("title", "name")]))
    assert items.unsupported() == ("Chargebee's public API creates an item only with type, item_family_id, "
                                   "which the section does not map")


def test_the_wrong_api_key_is_refused(sync_harness):
    h = sync_harness(cb_mapping())
    auth = "Basic " + base64.b64encode(b"wrong:").decode()
    response = h.target_connector.session.get(h.target.fake.base_url + "/customers",
                                               headers={"Authorization": auth})
    assert response.status_code == 401 and response.json()["api_error_code"] == "api_authentication_failed"


def test_an_enum_target_is_not_verifiable_with_free_values(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Chargebee Customer", properties=[prop("mode", "auto_collection")]))
    assert h.unsupported() == "Chargebee takes only on, off for auto_collection, and the checks draw free values for it"
    with pytest.raises(ApiError) as refused:
        h.target_connector.create_record("Customer", {"auto_collection": "sometimes"})
    assert (refused.value.status, refused.value.code) == (400, "param_wrong_value")
