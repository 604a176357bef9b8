"""The property check catches an update that loses what it does not map (Chargebee's billing info)."""
import pytest

from .builders import mapping, prop
from qa_checklist import checks
from sync.connectors.chargebee import ChargebeeConnector
from sync.harness import Harness


@pytest.fixture
def make():
    made = []

    def harness(m, conditions=None):
        made.append(Harness(m, conditions=conditions))
        return made[-1]

    yield harness
    for h in made:
        h.close()


CITY = mapping("Custom CRM Contact", "Chargebee Customer", properties=[prop("city", "billing_address.city")])


def test_the_whole_billing_info_survives_an_update(make):
    checks.property_row(make, CITY, 0, "Oslo")


def test_a_connector_sending_only_the_changed_part_of_the_billing_info_fails_the_check(make, monkeypatch):
    # Broken on purpose: update_billing_info gets just the changed field, as the connector once sent it.
    def partial(self, endpoint, rid, changes, record):
        return [("POST", f"{endpoint.path}/{rid}/update_billing_info", changes)]

    monkeypatch.setattr(ChargebeeConnector, "write_routes", partial)
    with pytest.raises(AssertionError, match="the update lost vat_number"):
        checks.property_row(make, CITY, 0, "Oslo")


def test_a_nested_field_next_to_a_json_rest_target_must_survive_too(make):
    m = mapping("Custom CRM Contact", "MemberCare Persons", properties=[prop("city", "address.city")])
    checks.property_row(make, m, 0, "Oslo")
