"""`conditional`: the condition's text selects a registered predicate; none registered is an error."""
import pytest

from .builders import mapping, prop
from sync.errors import ConfigurationError

CONDITION = "When a HubSpot Deal has a 100% probability of beeing sold"


def deal_mapping():
    return mapping("HubSpot Deal", "Tripletex Order", sync="conditional", condition=CONDITION,
                   properties=[prop("properties.dealname", "receiverEmail")])


def test_only_sources_meeting_the_condition_are_synchronized(sync_harness):
    sold = {CONDITION: lambda deal: deal.get("properties", {}).get("hs_deal_stage_probability") == "1.0"}
    h = sync_harness(deal_mapping(), conditions=sold)
    h.source.create({"properties": {"dealname": "Big", "hs_deal_stage_probability": "1.0"}})
    h.source.create({"properties": {"dealname": "Maybe", "hs_deal_stage_probability": "0.5"}})
    report = h.run_pass()
    assert (report.created, report.skipped) == (1, 1)
    assert [r["receiverEmail"] for r in h.target.records()] == ["Big"]


def test_a_condition_without_a_predicate_is_a_configuration_error(sync_harness):
    with pytest.raises(ConfigurationError, match="beeing sold"):
        sync_harness(deal_mapping())


def test_the_condition_text_matches_regardless_of_spacing(sync_harness):
    h = sync_harness(deal_mapping(), conditions={"  ".join(CONDITION.split()): lambda deal: True})
    h.source.create({"properties": {"dealname": "Any"}})
    assert h.run_pass().created == 1
