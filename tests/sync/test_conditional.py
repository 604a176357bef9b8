"""`conditional`: the condition's phrasing selects a predicate from the vocabulary (or one registered by hand)."""
import pytest

from sync.predicates import holds

from .builders import mapping, prop
from sync.errors import ConfigurationError
from generator.vocabulary import Vocabulary

CONDITION = "When a HubSpot Deal has a 100% probability of beeing sold"
SUPPLIERS = "preliminary mapping until we can sort out suppliers. This removes all supplier products for now"


def deal_mapping(condition=CONDITION):
    return mapping("HubSpot Deal", "Tripletex Order", sync="conditional", condition=condition,
                   properties=[prop("properties.dealname", "receiverEmail")])


def test_the_vocabulary_predicate_decides_which_deals_are_synchronized(sync_harness):
    h = sync_harness(deal_mapping())
    h.source.create({"properties": {"dealname": "Won", "hs_deal_stage_probability": "1.0"}})
    h.source.create({"properties": {"dealname": "Maybe", "hs_deal_stage_probability": "0.5"}})
    h.source.create({"properties": {"dealname": "Unknown"}})
    report = h.run_pass()
    assert (report.created, report.skipped) == (1, 2)
    assert [r["receiverEmail"] for r in h.target.records()] == ["Won"]


def test_the_phrasing_is_matched_with_the_section_names_as_variables(sync_harness):
    other = mapping("Zendesk User", "WebCRM Users", sync="conditional",
                    condition="When a  Zendesk User is of type   Agent", properties=[prop("name", "name")])
    h = sync_harness(other)
    h.source.create({"name": "Agent Smith", "role": "agent"})
    h.source.create({"name": "Customer", "role": "end-user"})
    h.run_pass()
    assert [r["name"] for r in h.target.records()] == ["Agent Smith"]


def test_a_phrasing_without_a_predicate_for_the_system_is_a_configuration_error(sync_harness):
    with pytest.raises(ConfigurationError, match="supplier products.*no predicate.*HubSpot"):
        sync_harness(deal_mapping(SUPPLIERS))
    with pytest.raises(ConfigurationError, match="no predicate"):
        sync_harness(mapping("Pipedrive Deal", "Tripletex Order", sync="conditional",
                             condition="When a Pipedrive Deal has a 100% probability of beeing sold"))


def test_a_user_vocabulary_adds_a_predicate():
    vocabulary = Vocabulary.shipped().extended({"conditions": [{
        "phrasing": SUPPLIERS, "predicates": {"Hub Spot": {"field": "supplier", "operator": "empty"}}}]})
    predicate = vocabulary.predicate_for(SUPPLIERS, "HubSpot", "Deal")
    assert holds(predicate, {"name": "own"}) and not holds(predicate, {"supplier": {"id": 4}})
    assert Vocabulary.shipped().predicate_for(SUPPLIERS, "HubSpot", "Deal") is None  # the shipped one is unchanged


def test_a_predicate_registered_by_hand_still_wins(sync_harness):
    h = sync_harness(deal_mapping(), conditions={"  ".join(CONDITION.split()): lambda deal: True})
    h.source.create({"properties": {"dealname": "Any"}})
    assert h.run_pass().created == 1


@pytest.mark.parametrize("spec", [{"field": "x", "operator": "bigger", "value": 1}, {"operator": "equals", "value": 1},
                                  {"field": "x", "operator": "one_of", "value": "a"}, {"field": "x"}])
def test_a_malformed_predicate_is_refused(spec):
    with pytest.raises(ValueError, match="predicate|needs"):
        Vocabulary.shipped().extended({"conditions": [{"phrasing": "p", "predicates": {"S": spec}}]})
