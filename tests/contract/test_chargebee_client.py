"""Chargebee's official Python client (PyPI `chargebee` 3.x) judges the served Chargebee fake.

Every operation the connector uses goes through the vendor's own client over a real socket,
and every answer must parse into the client's own objects and error classes. Where the fake
and the client disagree, the fake is wrong.
"""
from __future__ import annotations

import json
import subprocess

import pytest

chargebee = pytest.importorskip("chargebee", reason="the official client is in the test extra")

pytestmark = pytest.mark.slow  # fake-api serve in a subprocess, driven by the official client

from chargebee import APIError, InvalidRequestError, OperationFailedError  # noqa: E402

from sync.connectors.registry import connector_for  # noqa: E402
from sync.credentials import Credentials, Secret  # noqa: E402

from .conftest import fake_api_command  # noqa: E402

KEY = "test_contract_key"


def client(url: str, key: str = KEY):
    """The official client pointed at the fake: its environment's endpoint, over plain http."""
    chargebee.Chargebee.verify_ca_certs = False  # read as a class attribute when the client picks the scheme
    cb = chargebee.Chargebee(api_key=key, site="fake", protocol="http")
    cb.env.api_endpoint = url
    return cb


@pytest.fixture
def cb(shared_chargebee):
    """The client on the module's served fake: tests use their own ids, and count what they made."""
    return client(shared_chargebee.url)


def count(cb, first_name: str | None = None) -> int:
    customers = []
    offset = None
    while True:
        page = cb.Customer.list({"limit": 100, **({"offset": offset} if offset else {})})
        customers += [entry.customer for entry in page.list]
        offset = page.next_offset
        if not offset:
            return sum(1 for c in customers if first_name is None or getattr(c, "first_name", None) == first_name)


def raised(call) -> APIError:
    with pytest.raises(APIError) as caught:
        call()
    return caught.value


def test_the_first_line_names_the_base_url_and_sigterm_stops_it_cleanly(serve):
    served = serve("chargebee", "--port", "0", "--api-key", KEY)
    assert served.url.endswith("/api/v2")
    assert served.first_line == f"serving chargebee at {served.url}"
    assert served.stop() == 0


def test_a_non_loopback_host_is_refused():
    done = subprocess.run([*fake_api_command(), "serve", "chargebee", "--host", "0.0.0.0"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "loopback" in done.stderr and not done.stdout


def test_create_retrieve_update_with_typed_and_json_valued_fields(cb):
    created = cb.Customer.create({"id": "cust_1", "first_name": "Ada", "net_term_days": 30, "allow_direct_debit": True,
                                  "auto_collection": "off", "meta_data": json.dumps({"tier": "gold"}),
                                  "billing_address": {"line1": "Storgata 1", "city": "Oslo", "zip": "0150"}})
    customer = created.customer
    assert (customer.id, customer.first_name, customer.net_term_days, customer.allow_direct_debit) == (
        "cust_1", "Ada", 30, True)
    assert customer.meta_data == {"tier": "gold"} and customer.billing_address.city == "Oslo"
    assert (customer.auto_collection, customer.taxability) == ("off", "taxable")  # sent, and Chargebee's default
    assert cb.Customer.retrieve("cust_1").customer.first_name == "Ada"
    updated = cb.Customer.update("cust_1", {"first_name": "Augusta", "meta_data": json.dumps({"tier": "silver"})})
    assert updated.customer.first_name == "Augusta" and updated.customer.meta_data == {"tier": "silver"}
    assert updated.customer.updated_at > customer.updated_at
    assert updated.customer.resource_version > customer.resource_version


def test_update_billing_info_replaces_the_billing_info(cb):
    cb.Customer.create({"id": "cust_2", "vat_number": "NO123", "billing_address": {"line1": "Storgata 1",
                                                                                  "city": "Oslo", "zip": "0150"}})
    answered = cb.Customer.update_billing_info("cust_2", {"billing_address": {"city": "Bergen"}}).customer
    assert answered.billing_address.city == "Bergen"
    held = cb.Customer.retrieve("cust_2").customer
    assert held.billing_address.city == "Bergen"
    assert getattr(held.billing_address, "line1", None) is None and getattr(held.billing_address, "zip", None) is None
    assert getattr(held, "vat_number", None) is None


def test_list_pages_with_limit_and_next_offset_and_filters_on_updated_at(serve):
    cb = client(serve("chargebee", "--port", "0", "--api-key", KEY).url)
    ids = [cb.Customer.create({"first_name": f"C{i}"}).customer.id for i in range(7)]
    seen, offset, pages = [], None, 0
    while True:
        params = {"limit": 3, "sort_by": {"asc": "updated_at"}}
        page = cb.Customer.list({**params, **({"offset": offset} if offset else {})})
        seen += [entry.customer.id for entry in page.list]
        pages += 1
        offset = page.next_offset
        if not offset:
            break
    assert seen == ids and pages == 3
    cb.Customer.update(ids[2], {"first_name": "edited"})
    edge = cb.Customer.retrieve(ids[6]).customer.updated_at
    newer = cb.Customer.list({"limit": 100, "updated_at": {"after": edge}, "sort_by": {"asc": "updated_at"}})
    assert [entry.customer.id for entry in newer.list] == [ids[2]] and newer.next_offset is None
    too_many = raised(lambda: cb.Customer.list({"limit": 101}))
    assert isinstance(too_many, InvalidRequestError) and too_many.param == "limit"


def test_idempotent_create_replays_with_the_replayed_header_and_refuses_another_request(cb):
    headers = {"chargebee-idempotency-key": "idem-1"}
    first = cb.Customer.create({"first_name": "Once"}, headers=dict(headers))
    again = cb.Customer.create({"first_name": "Once"}, headers=dict(headers))
    assert again.customer.id == first.customer.id
    assert again.is_idempotency_replayed and not first.is_idempotency_replayed
    assert count(cb, "Once") == 1
    other_body = raised(lambda: cb.Customer.create({"first_name": "Twice"}, headers=dict(headers)))
    other_path = raised(lambda: cb.Customer.update(first.customer.id, {"first_name": "Once"}, headers=dict(headers)))
    for refused in (other_body, other_path):
        assert isinstance(refused, InvalidRequestError) and refused.http_status_code == 409


@pytest.mark.parametrize("params, param", [
    ({"net_term_days": "abc"}, "net_term_days"),
    ({"id": "x" * 51}, "id"),
    ({"auto_collection": "sometimes"}, "auto_collection"),
    ({"billing_address": {"planet": "Mars"}}, "billing_address[planet]"),
])
def test_parameters_chargebee_refuses_are_refused_with_its_error_body(cb, params, param):
    before = count(cb)
    error = raised(lambda: cb.Customer.create(params))
    assert isinstance(error, InvalidRequestError) and error.http_status_code == 400
    assert (error.api_error_code, error.param, error.type) == ("param_wrong_value", param, "invalid_request")
    assert count(cb) == before  # nothing stored


def test_an_item_needs_its_name_type_and_family(cb):
    cb.ItemFamily.create({"id": "family-1", "name": "Plans"})
    for missing in ("name", "type", "item_family_id"):
        params = {"id": "item-1", "name": "Gold", "type": "plan", "item_family_id": "family-1"}
        del params[missing]
        error = raised(lambda: cb.Item.create(params))
        assert (error.http_status_code, error.api_error_code, error.param) == (400, "param_wrong_value", missing)
    item = cb.Item.create({"id": "item-1", "name": "Gold", "type": "plan", "item_family_id": "family-1",
                           "metadata": json.dumps({"level": 3})}).item
    assert (item.id, item.type, item.metadata) == ("item-1", "plan", {"level": 3})
    assert "item-1" in [e.item.id for e in cb.Item.list({"limit": 100}).list]
    assert raised(lambda: cb.Item.create({"id": "item-1", "name": "Gold", "type": "plan",
                                          "item_family_id": "family-1"})).api_error_code == "duplicate_entry"


def test_an_address_is_read_and_upserted_by_subscription_and_label(cb):
    written = cb.Address.update({"subscription_id": "sub_1", "label": "shipping", "city": "Oslo", "zip": "0150"})
    assert written.address.city == "Oslo"
    cb.Address.update({"subscription_id": "sub_1", "label": "shipping", "city": "Bergen"})
    read = cb.Address.retrieve({"subscription_id": "sub_1", "label": "shipping"}).address
    assert (read.city, read.zip, read.label) == ("Bergen", "0150", "shipping")
    assert raised(lambda: cb.Address.retrieve({"subscription_id": "sub_1", "label": "billing"})).http_status_code == 404


def test_errors_parse_into_the_client_s_error_classes(cb, serve):
    missing = raised(lambda: cb.Customer.retrieve("nobody"))
    assert isinstance(missing, InvalidRequestError)
    assert (missing.http_status_code, missing.api_error_code) == (404, "resource_not_found")
    denied = raised(lambda: client(cb.env.api_endpoint, "wrong_key").Customer.list())
    assert type(denied) is APIError and denied.type is None
    assert (denied.http_status_code, denied.api_error_code) == (401, "api_authentication_failed")
    faulty = client(serve("chargebee", "--port", "0", "--api-key", KEY, "--api-faults", "1", "--seed", "7").url)
    answers = {}
    for _ in range(40):
        error = raised(lambda: faulty.Customer.list())
        answers.setdefault(error.http_status_code, error)
    assert set(answers) == {429, 500, 503}
    assert all(isinstance(e, OperationFailedError) for e in answers.values())
    assert answers[429].api_error_code == "api_request_limit_exceeded"
    assert int(answers[429].http_headers["retry-after"]) >= 1


def test_state_survives_a_restart(serve, tmp_path):
    state = str(tmp_path / "chargebee.db")
    first = serve("chargebee", "--port", "0", "--api-key", KEY, "--state", state)
    client(first.url).Customer.create({"id": "kept", "first_name": "Ada"})
    assert first.stop() == 0
    second = serve("chargebee", "--port", "0", "--api-key", KEY, "--state", state)
    assert client(second.url).Customer.retrieve("kept").customer.first_name == "Ada"


def test_the_connector_speaks_to_the_served_fake_as_the_client_does(cb):
    """One fake, two transports: the connector the tests drive through `responses` works over the socket."""
    connector = connector_for("Chargebee", base_url=cb.env.api_endpoint, credentials=Credentials("basic",
                                                                                                  user=Secret(KEY)))
    created = connector.create_record("Customer", {"first_name": "Ada", "vat_number": "NO1",
                                                   "billing_address": {"line1": "Storgata 1", "city": "Oslo"}}, "k-1")
    connector.update_record("Customer", created["id"], {"billing_address": {"city": "Bergen"}}, created, "k-2")
    held = cb.Customer.retrieve(created["id"]).customer
    assert (held.billing_address.city, held.billing_address.line1, held.vat_number) == ("Bergen", "Storgata 1", "NO1")
    records, _ = connector.list_records("Customer")
    assert created["id"] in [r["id"] for r in records]
    assert "list of all addresses" in connector.unsupported("Address", "list")
