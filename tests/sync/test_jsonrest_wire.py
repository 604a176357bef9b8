"""The JSON REST connector: declared presets, and derived paths for any system name."""
import pytest

from sync.fakes.log import REDACTED

from .builders import mapping, prop
from sync.connectors.registry import connector_for
from sync.errors import ConfigurationError
from sync.fakes.base import UnexpectedRequest
from sync.names import slug

# Systems nobody has described, spelled as documents spell them.
ODD_NAMES = ["Exact Online", "", "Xledger  Pro", "Uni Micro", "Visma.net", "Økonomi_Plus (beta)", "Zoho-CRM"]


@pytest.mark.parametrize("system", ODD_NAMES)
def test_any_system_name_gets_a_working_connector(sync_harness, system):
    h = sync_harness(mapping("HubSpot Contact", (system, "Customers (human data)"),
                             properties=[prop("properties.email", "email")]))
    h.source.create({"properties": {"email": "a@example.com"}})
    assert h.run_pass().created == 1
    [record] = h.target.records()
    assert record["email"] == "a@example.com"
    assert {r.path for r in h.target.requests} == {"/customers-human-data"}


def test_slugs_are_ascii_and_never_empty():
    assert slug("Økonomi_Plus (beta)") == "okonomi-plus-beta"
    assert slug("   ", fallback="system") == "system"


def test_membercare_reads_as_sesams_connector_does(sync_harness):
    """Records under `result`, the next page's whole URL in `nextPageUrl`, the key in a `token` header, persons
    keyed by their debtor account number and read whole each pass (they carry no change time)."""
    h = sync_harness(mapping("MemberCare Persons", "Custom CRM Contact", properties=[prop("name", "name")]))
    for i in range(150):
        h.source.create({"name": f"P{i}"})
    assert h.run_pass().created == 150
    reads = [r for r in h.source.requests if r.method == "GET"]
    assert [r.path for r in reads] == ["/persons", "/persons"] and "page_token" in reads[1].params
    # The key went in the `token` header (the fake answered, so it was right); the log keeps it out, as it does
    # every header carrying a credential: reports show the log.
    assert all(r.headers["token"] == REDACTED for r in reads)
    assert "Authorization" not in reads[0].headers
    assert {record["debtorAccountNumber"] for record in h.source.records()} == {str(n) for n in range(1, 151)}
    h.run_pass()  # no cursor to ask with: the second pass reads everything again, and writes nothing
    assert [r.params.get("changedAfter") for r in h.source.requests if r.method == "GET"][2:] == [None, None]


def test_membercare_debtors_are_read_since_their_last_change(sync_harness):
    h = sync_harness(mapping("MemberCare Debtors", "Custom CRM Contact", properties=[prop("name", "name")]))
    h.source.create({"name": "Ada"})
    h.run_pass()
    h.run_pass()
    [*_, last] = [r for r in h.source.requests if r.method == "GET"]
    assert last.params["changedAfter"] == h.source.records()[0]["lastChange"]


def test_membercare_writes_are_our_declaration_without_keys_or_conditions(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "MemberCare Persons", properties=[prop("name", "name")]))
    sid = h.source.create({"name": "Ada"})
    h.run_pass()
    h.source.edit(sid, {"name": "Augusta"})
    h.run_pass()
    [create] = [r for r in h.target.requests if r.method == "POST"]
    [update] = [r for r in h.target.requests if r.method == "PATCH"]
    assert "Idempotency-Key" not in create.headers and "If-Match" not in update.headers
    assert update.body == {"name": "Augusta"}


def test_membercare_has_no_collection_its_description_does_not_name():
    assert "no Members collection" in connector_for("MemberCare").unsupported("Members", "list")


def test_custom_crm_uses_basic_auth_and_membercare_a_token_header():
    assert connector_for("Custom CRM").api.auth.style == "basic"
    assert connector_for("Customcrm").api.auth.style == "basic"  # spelled as some sections spell it
    assert (connector_for("MemberCare").api.auth.header, connector_for("MemberCare").api.auth.prefix) == ("token", "")


def _generic(h, method, path, **kwargs):
    """A request to the generic fake as any client would send it (its bearer token, JSON)."""
    fake = h.target.fake
    token = fake.secret.reveal()
    return h.target_connector.session.request(method, fake.base_url + path, timeout=5,
                                              headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                                              **kwargs)


def test_the_generic_api_ignores_headers_it_does_not_take_and_refuses_a_changed_since_filter(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Salesforce Account", properties=[prop("name", "name")]))
    first = _generic(h, "POST", "/account", json={"name": "Ada"}, headers={"Idempotency-Key": "k1"})
    again = _generic(h, "POST", "/account", json={"name": "Ada"}, headers={"Idempotency-Key": "k1"})
    assert first.json()["id"] != again.json()["id"] and len(h.target.records()) == 2  # no idempotency: made twice
    stale = _generic(h, "PATCH", f"/account/{first.json()['id']}", json={"name": "Bo"},
                     headers={"If-Match": "a version long gone"})
    assert stale.status_code == 200 and h.target.get(first.json()["id"])["name"] == "Bo"  # no conditional update
    with pytest.raises(UnexpectedRequest, match=r"does not take: \['updated_after'\]"):  # a 400 when served
        _generic(h, "GET", "/account", params={"updated_after": 0})


def test_a_system_s_config_may_say_what_more_its_api_offers():
    connector = connector_for("HubSpot", config={"idempotency_header": "Idempotency-Key", "conditional_writes": True,
                                                 "since_param": "updatedAfter"})
    assert (connector.idempotency_header, connector.conditional_writes, connector.since_param) == (
        "Idempotency-Key", True, "updatedAfter")
    with pytest.raises(ConfigurationError, match="conditional_writes must be true or false"):
        connector_for("HubSpot", config={"conditional_writes": "yes"})
