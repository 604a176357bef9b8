"""The JSON REST connector: declared presets, and derived paths for any system name."""
import pytest

from .builders import mapping, prop
from sync.connectors.registry import connector_for
from sync.errors import ConfigurationError
from sync.fakes.base import UnexpectedRequest
from sync.names import slug

ODD_NAMES = ["Exact Online", "", "PowerOffice GO", "Business Central", "Visma.net", "Økonomi_Plus (beta)", "Zoho-CRM"]


@pytest.mark.parametrize("system", ODD_NAMES)
def test_any_system_name_gets_a_working_connector(sync_harness, system):
    h = sync_harness(mapping("HubSpot Contact", (system, "Customers (human data)"),
                             properties=[prop("email", "email")]))
    h.source.create({"email": "a@example.com"})
    assert h.run_pass().created == 1
    [record] = h.target.records()
    assert record["email"] == "a@example.com"
    assert {r.path for r in h.target.requests} == {"/customers-human-data"}


def test_slugs_are_ascii_and_never_empty():
    assert slug("Økonomi_Plus (beta)") == "okonomi-plus-beta"
    assert slug("   ", fallback="system") == "system"


def test_membercare_pages_by_number_with_total_pages(sync_harness):
    h = sync_harness(mapping("MemberCare Persons", "Custom CRM Contact", properties=[prop("name", "name")]))
    for i in range(150):
        h.source.create({"name": f"P{i}"})
    assert h.run_pass().created == 150
    pages = [r.params for r in h.source.requests if r.method == "GET"]
    assert [p["page"] for p in pages] == ["1", "2"] and pages[0]["per_page"] == "100"


def test_custom_crm_uses_basic_auth_and_membercare_bearer():
    assert connector_for("Custom CRM").api.auth == "basic"
    assert connector_for("Customcrm").api.auth == "basic"  # spelled as some sections spell it
    assert connector_for("MemberCare").api.auth == "bearer"


def test_updates_are_patches_with_if_match(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "MemberCare Persons", properties=[prop("name", "name")]))
    sid = h.source.create({"name": "Ada"})
    h.run_pass()
    h.source.edit(sid, {"name": "Augusta"})
    h.run_pass()
    [update] = [r for r in h.target.requests if r.method == "PATCH"]
    assert update.headers["If-Match"] and update.body == {"name": "Augusta"}


def _generic(h, method, path, **kwargs):
    """A request to the generic fake as any client would send it (its bearer token, JSON)."""
    fake = h.target.fake
    token = fake.secret.reveal()
    return h.target_connector.session.request(method, fake.base_url + path, timeout=5,
                                              headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                                              **kwargs)


def test_the_generic_api_ignores_headers_it_does_not_take_and_refuses_a_changed_since_filter(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Tripletex Customer", properties=[prop("name", "name")]))
    first = _generic(h, "POST", "/customer", json={"name": "Ada"}, headers={"Idempotency-Key": "k1"})
    again = _generic(h, "POST", "/customer", json={"name": "Ada"}, headers={"Idempotency-Key": "k1"})
    assert first.json()["id"] != again.json()["id"] and len(h.target.records()) == 2  # no idempotency: made twice
    stale = _generic(h, "PATCH", f"/customer/{first.json()['id']}", json={"name": "Bo"},
                     headers={"If-Match": "a version long gone"})
    assert stale.status_code == 200 and h.target.get(first.json()["id"])["name"] == "Bo"  # no conditional update
    with pytest.raises(UnexpectedRequest, match=r"does not take: \['updated_after'\]"):  # a 400 when served
        _generic(h, "GET", "/customer", params={"updated_after": 0})


def test_a_system_s_config_may_say_what_more_its_api_offers():
    connector = connector_for("HubSpot", config={"idempotency_header": "Idempotency-Key", "conditional_writes": True,
                                                 "since_param": "updatedAfter"})
    assert (connector.idempotency_header, connector.conditional_writes, connector.since_param) == (
        "Idempotency-Key", True, "updatedAfter")
    with pytest.raises(ConfigurationError, match="conditional_writes must be true or false"):
        connector_for("HubSpot", config={"conditional_writes": "yes"})
