"""System and entity names, however a document spells them."""
from generator.names import slug, split_section_title, systems_from_title


def test_section_spelling_differs_from_title():
    assert split_section_title("Customcrm Contact to Chargebee Customer", "Custom CRM", "Chargebee", False, False) == (
        "Contact",
        "Customer",
    )
    assert split_section_title(
        "Businesscentral Customers (organisation data) to Custom Webshop Customer",
        "Business Central", "Custom Webshop", False, False,
    ) == ("Customers (organisation data)", "Customer")


def test_entity_names_holding_to():
    assert split_section_title("Acme Path to Glory to Acme Road to Nowhere", "Acme", "Acme", False, False) == (
        "Path to Glory",
        "Road to Nowhere",
    )


def test_blank_target_system():
    assert systems_from_title("Exact Online to  Dataflow") == ("Exact Online", "")
    assert systems_from_title("to Tripletex Dataflow") == ("", "Tripletex")
    assert systems_from_title("Tor to Toggl Dataflow") == ("Tor", "Toggl")
    assert split_section_title("Exact Online Items to  Inventory", "Exact Online", "squarespace", False, True) == (
        "Items",
        "Inventory",
    )


def test_title_not_a_dataflow():
    assert systems_from_title("Release notes") is None


def test_slug_keeps_ids_ascii_and_readable():
    assert slug("Customers (organisation data)") == "customers-organisation-data"
    assert slug("Business_entity") == "business-entity"
    assert slug("Wix.com Contacts") == "wix-com-contacts"
    assert slug("Café Ståle") == "cafe-stale"
    assert slug("!!!") == "x"


def test_shortened_or_lengthened_system_spelling():
    assert split_section_title("Wix Contacts to SuperOffice Person", "Wix.com", "SuperOffice", False, False) == (
        "Contacts", "Person")
    assert split_section_title("PowerOffice Customers to Tripletex Customer", "PowerOffice GO", "Tripletex",
                               False, False) == ("Customers", "Customer")


def test_title_word_dataflow_in_any_case():
    assert systems_from_title("HubSpot to Tripletex dataflow") == ("HubSpot", "Tripletex")
