"""The JSON REST connector: declared presets, and derived paths for any system name."""
import pytest

from .builders import mapping, prop
from sync.connectors.registry import connector_for
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
