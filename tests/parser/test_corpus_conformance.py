"""The publisher's own documents (../shared/corpus-sample): facts checked by hand against each file."""
import pytest

from generator.parser import parse_specs

pytestmark = pytest.mark.slow  # the publisher's corpus in ../shared

# Checked by reading the files: sections per document (every section counted, repeats included).
SECTIONS = {
    "businesscentral-customwebshop.rst": 10,
    "chargebee-exact.rst": 12,
    "customcrm-chargebee.rst": 10,
    "customcrm-membercare.rst": 6,
    "custompms-chargebee.rst": 3,
    "exact-squarespace.rst": 4,
    "hubspot-hubspot.rst": 93,
    "hubspot-tripletex.rst": 8,
    "invoiced-chargebee.rst": 11,
    "powerofficego-tripletex.rst": 25,
    "salesforce-membercare.rst": 22,
    "tripletex-hubspot.rst": 10,
    "wix-superoffice.rst": 4,
    "zendesk-webcrm.rst": 2,
}


@pytest.fixture(scope="module")
def corpus(corpus_sample):
    parsed = parse_specs(corpus_sample)
    assert parsed.errors == ()
    return {d.file: d for d in parsed.result.dataflows}, parsed.result.findings


def mapping(corpus, mapping_id):
    file = mapping_id.split("/")[0] + ".rst"
    return next(m for m in corpus[0][file].mappings if m.id == mapping_id)


def test_every_document_reads_with_no_error_finding(corpus):
    dataflows, findings = corpus
    assert {f: len(d.mappings) for f, d in dataflows.items()} == SECTIONS
    assert sum(SECTIONS.values()) == 220
    assert not [f for f in findings if f.severity == "error"]
    assert all(f.line >= 1 for f in findings)


def test_titles_and_systems(corpus):
    dataflows, _ = corpus
    assert (dataflows["wix-superoffice.rst"].source_system, dataflows["wix-superoffice.rst"].target_system) == (
        "Wix.com", "SuperOffice")
    assert dataflows["chargebee-exact.rst"].target_system == "Exact Online"
    assert dataflows["hubspot-hubspot.rst"].generated == "2024-11-13 00:00:23"
    assert dataflows["customcrm-chargebee.rst"].title == "Custom CRM to Chargebee Dataflow"


def test_link_required_with_creation_rule_and_merge_keys(corpus):
    m = mapping(corpus, "hubspot-tripletex/contact-to-contact")
    assert m.sync == "link_required" and m.bidirectional and not m.merge_or_create
    assert len(m.create_when_connected.via) == 12
    assert m.create_when_connected.via[0] == "HubSpot Deal"
    assert m.create_when_connected.via[-1] == "Quotequotetemplateassociation"
    assert m.create_when_connected.into == "Tripletex"
    assert [(k.source, k.target, k.line) for k in m.merge_keys] == [("properties.email", "email", 25)]
    assert [(p.source, p.target, p.type, p.line) for p in m.properties][3] == (
        "properties.mobilephone", "phoneNumberMobile", None, 47)


def test_one_source_feeding_targets_of_different_types(corpus):
    m = mapping(corpus, "hubspot-tripletex/contact-to-customer")
    country = [(p.target, p.type) for p in m.properties if p.source == "properties.country"]
    assert country == [("deliveryAddress.country.id", "string"), ("physicalAddress.country.id", "integer"),
                       ("postalAddress.country.id", "integer")]


def test_merge_or_create(corpus):
    m = mapping(corpus, "tripletex-hubspot/contact-to-contact")
    assert (m.sync, m.merge_or_create, m.line) == ("every", True, 12)


@pytest.mark.parametrize("mapping_id, condition", [
    ("zendesk-webcrm/users-to-users", "When a Zendesk User is of type Agent"),
    ("hubspot-tripletex/deal-to-order", "When a HubSpot Deal has a 100% probability of beeing sold"),
    ("tripletex-hubspot/product-to-product",
     "preliminary mapping until we can sort out suppliers. This removes all supplier products for now"),
])
def test_conditions_kept_whole(corpus, mapping_id, condition):
    m = mapping(corpus, mapping_id)
    assert (m.sync, m.condition) == ("conditional", condition)


def test_blank_system_and_repeated_section(corpus):
    dataflows, findings = corpus
    d = dataflows["exact-squarespace.rst"]
    assert (d.source_system, d.target_system) == ("Exact Online", "squarespace")
    assert [m.id for m in d.mappings][:2] == ["exact-squarespace/items-to-inventory", "exact-squarespace/items-to-inventory-2"]
    assert [(m.source_entity, m.target_entity) for m in d.mappings][0] == ("Items", "Inventory")
    repeats = [f for f in findings if f.code == "repeated-section" and f.file == "businesscentral-customwebshop.rst"]
    assert [f.line for f in repeats] == [108, 124, 140, 156]


def test_system_synchronized_with_itself(corpus):
    m = mapping(corpus, "hubspot-hubspot/company-to-company")
    assert (m.source_system, m.target_system, m.source_entity, m.target_entity) == ("HubSpot", "HubSpot", "Company", "Company")
    assert [(k.source, k.target) for k in m.merge_keys] == [("id", "id")]


def test_section_spelling_differs_from_title(corpus):
    d = corpus[0]["businesscentral-customwebshop.rst"]
    assert d.source_system == "Business Central"
    assert d.mappings[1].source_entity == "Customers (organisation data)"


def test_paths_into_lists(corpus):
    rows = [(p.source, p.target) for d in corpus[0].values() if d.file == "salesforce-membercare.rst"
            for m in d.mappings for p in m.properties]
    assert ("City", "addresses.postalCode.city") in rows
    assert ("UnitPrice", "invoiceItems.unitPrice") in rows
    wix = mapping(corpus, "wix-superoffice/orders-to-quoteline")
    assert [(p.source, p.type, p.line) for p in wix.properties][2] == ("lineItems.price", None, 102)
