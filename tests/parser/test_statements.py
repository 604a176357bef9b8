"""Each of the publisher's sentences is recognised, with the names it carries."""
import pytest

from generator.statements import recognise


def test_every():
    s = recognise("Every Customcrm Contact will be synchronized with a Chargebee Customer.")
    assert (s.kind, s.source, s.target) == ("every", "Customcrm Contact", "Chargebee Customer")


def test_link_required():
    s = recognise(
        "Before any synchronization can take place, a link between a HubSpot Contact and a Tripletex Contact must be established."
    )
    assert (s.kind, s.source, s.target) == ("link_required", "HubSpot Contact", "Tripletex Contact")


@pytest.mark.parametrize(
    "condition",
    [
        "When a Zendesk User is of type Agent",
        "preliminary mapping until we can sort out suppliers. This removes all supplier products for now",
        "If the deal, once won, is large",
    ],
)
def test_conditional_keeps_free_text_condition_whole(condition):
    s = recognise(f"{condition}, it  will be synchronized with a WebCRM Users.")
    assert (s.kind, s.condition, s.target) == ("conditional", condition, "WebCRM Users")


def test_conditional_condition_spanning_lines_is_kept_on_one_line():
    s = recognise("When a Zendesk User\nis of type Agent, it  will be synchronized with a WebCRM Users.")
    assert s.condition == "When a Zendesk User is of type Agent"


def test_creation_rule_lists_every_via_entity_as_written():
    s = recognise(
        "A new Tripletex Contact will be created from a HubSpot Contact if it is connected to a HubSpot Deal, "
        "Quote, Lineitem, or Quotequotetemplateassociation that is synchronized into Tripletex."
    )
    assert s.kind == "creation_rule"
    assert s.via == ("HubSpot Deal", "Quote", "Lineitem", "Quotequotetemplateassociation")
    assert (s.source, s.target, s.into) == ("HubSpot Contact", "Tripletex Contact", "Tripletex")


def test_creation_rule_with_one_via_entity():
    s = recognise(
        "A new Tripletex Order will be created from a HubSpot Deal if it is connected to a HubSpot Company "
        "that is synchronized into Tripletex."
    )
    assert s.via == ("HubSpot Company",)


def test_merge_or_create_across_two_lines():
    s = recognise(
        "If a matching HubSpot Contact already exists, the Tripletex Contact will be merged with the existing one.\n"
        "If no matching HubSpot Contact is found, a new HubSpot Contact will be created."
    )
    assert (s.kind, s.source, s.target) == ("merge_or_create", "Tripletex Contact", "HubSpot Contact")


def test_merge_keys_intro():
    s = recognise("A HubSpot Contact will merge with a Tripletex Contact if one of the following property combinations match:")
    assert (s.kind, s.source, s.target) == ("merge_keys", "HubSpot Contact", "Tripletex Contact")


def test_bidirectional():
    s = recognise(
        "Once a link between a Customcrm Contact and a Chargebee Customer is established, it will keep in sync "
        "between the two systems, regardless of where it is edited."
    )
    assert (s.kind, s.source, s.target) == ("bidirectional", "Customcrm Contact", "Chargebee Customer")


def test_properties_intro_with_blank_system():
    s = recognise("The following properties are synchronized between a Exact Online Items and a  Inventory:")
    assert (s.kind, s.source, s.target) == ("properties", "Exact Online Items", "Inventory")


def test_other_text_is_not_a_statement():
    assert recognise("This technical document provides a detailed overview.") is None
