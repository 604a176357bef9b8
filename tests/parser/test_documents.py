"""Whole documents: every statement kind and every pitfall the publisher's documents hold."""
import pytest

from generator.model import SpecError

from .documents import CONTACT_TITLE, EVERY, PROPERTIES_INTRO, PROPERTY_HEADER, document, parse, section, table


def codes(findings):
    return [f.code for f in findings]


def test_every_with_properties_and_lines():
    text = document(
        section(
            CONTACT_TITLE,
            EVERY,
            PROPERTIES_INTRO,
            table(("email", "email", '"string"'), ("address.city", "billing_address.city", '"string"'),
                  ("age", "net_term_days", '"integer"'), ("lang", "locale", "N/A"), header=PROPERTY_HEADER),
        )
    )
    dataflow, findings = parse(text)
    assert (dataflow.title, dataflow.source_system, dataflow.target_system) == (
        "Custom CRM to Chargebee Dataflow", "Custom CRM", "Chargebee")
    assert dataflow.generated == "2024-09-11 07:41:19"
    (mapping,) = dataflow.mappings
    assert (mapping.source_entity, mapping.target_entity, mapping.sync) == ("Contact", "Customer", "every")
    assert mapping.id == "customcrm-chargebee/contact-to-customer"
    lines = text.splitlines()
    assert lines[mapping.line - 1] == CONTACT_TITLE
    assert [(p.source, p.target, p.type) for p in mapping.properties] == [
        ("email", "email", "string"),
        ("address.city", "billing_address.city", "string"),
        ("age", "net_term_days", "integer"),
        ("lang", "locale", None),
    ]
    for row in mapping.properties:
        assert lines[row.line - 1].strip() == f"* - {row.source}"
    assert mapping.statement("sync").line == lines.index(EVERY) + 1
    assert "na-type" in codes(findings)


def test_header_only_table_is_kept_and_reported_as_nothing_to_verify():
    dataflow, findings = parse(document(section(CONTACT_TITLE, EVERY, PROPERTIES_INTRO, table(header=PROPERTY_HEADER))))
    assert dataflow.mappings[0].properties == ()
    assert codes(findings) == ["nothing-to-verify"]


def test_link_required_with_merge_keys_creation_rule_and_bidirectional():
    text = document(
        section(
            CONTACT_TITLE,
            "Before any synchronization can take place, a link between a Customcrm Contact and a Chargebee Customer must be established.",
            "A new Chargebee Customer will be created from a Customcrm Contact if it is connected to a Customcrm Deal, Quote, or User that is synchronized into Chargebee.",
            "A Customcrm Contact will merge with a Chargebee Customer if one of the following property combinations match:",
            table(("email", "email"), ("properties.phone", "phone"), header=PROPERTY_HEADER[:2]),
            "Once a link between a Customcrm Contact and a Chargebee Customer is established, it will keep in sync between the two systems, regardless of where it is edited.",
            PROPERTIES_INTRO,
            table(("email", "email", '"string"'), header=PROPERTY_HEADER),
        )
    )
    (mapping,), findings = parse(text)[0].mappings, parse(text)[1]
    assert mapping.sync == "link_required"
    assert mapping.create_when_connected.via == ("Customcrm Deal", "Quote", "User")
    assert mapping.create_when_connected.into == "Chargebee"
    assert [(k.source, k.target) for k in mapping.merge_keys] == [("email", "email"), ("properties.phone", "phone")]
    assert mapping.bidirectional and not mapping.merge_or_create
    assert [s.kind for s in mapping.statements] == [
        "sync", "creation_rule", "merge_keys", "bidirectional", "properties"]
    assert findings == ()


def test_merge_or_create_and_conditional():
    text = document(
        section(
            CONTACT_TITLE,
            "When a Customcrm Contact is a paying member, it  will be synchronized with a Chargebee Customer.",
            "If a matching Chargebee Customer already exists, the Customcrm Contact will be merged with the existing one.\n"
            "If no matching Chargebee Customer is found, a new Chargebee Customer will be created.",
        )
    )
    (mapping,) = parse(text)[0].mappings
    assert (mapping.sync, mapping.condition, mapping.merge_or_create) == (
        "conditional", "When a Customcrm Contact is a paying member", True)
    assert not mapping.bidirectional


def test_repeated_section_kept_with_unique_ids():
    one = section(CONTACT_TITLE, EVERY)
    dataflow, findings = parse(document(one, one, one))
    assert [m.id for m in dataflow.mappings] == [
        "customcrm-chargebee/contact-to-customer",
        "customcrm-chargebee/contact-to-customer-2",
        "customcrm-chargebee/contact-to-customer-3",
    ]
    assert codes(findings).count("repeated-section") == 2


def test_blank_system_falls_back_to_file_name():
    text = document(
        section("Exact Online Items to  Inventory", "Every Exact Online Items will be synchronized with a  Inventory."),
        title="Exact Online to  Dataflow",
    )
    dataflow, findings = parse(text, "exact-squarespace.rst")
    assert (dataflow.source_system, dataflow.target_system) == ("Exact Online", "squarespace")
    assert (dataflow.mappings[0].source_entity, dataflow.mappings[0].target_entity) == ("Items", "Inventory")
    assert "blank-system" in codes(findings)


def test_system_synchronized_with_itself():
    text = document(
        section("HubSpot Company to HubSpot Company", "Every HubSpot Company will be synchronized with a HubSpot Company."),
        title="HubSpot to HubSpot Dataflow",
    )
    (mapping,) = parse(text, "hubspot-hubspot.rst")[0].mappings
    assert (mapping.source_system, mapping.source_entity, mapping.target_system, mapping.target_entity) == (
        "HubSpot", "Company", "HubSpot", "Company")


def test_entity_names_with_punctuation():
    title = "Customcrm Customers (organisation data) to Chargebee Business_entity.v2-x"
    text = document(section(title, "Every Customcrm Customers (organisation data) will be synchronized with a Chargebee Business_entity.v2-x."))
    (mapping,) = parse(text)[0].mappings
    assert (mapping.source_entity, mapping.target_entity) == ("Customers (organisation data)", "Business_entity.v2-x")


def test_findings_for_clashing_rows_header_and_unknown_paragraph():
    text = document(
        section(
            CONTACT_TITLE,
            EVERY,
            "Nobody knows what this sentence means.",
            PROPERTIES_INTRO,
            table(("a", "x", '"string"'), ("b", "x", '"integer"'),
                  header=("Customcrm Lead Property", "Chargebee Customer Property", "Chargebee Data Type")),
        )
    )
    found = codes(parse(text)[1])
    assert {"unrecognized-paragraph", "target-two-types", "target-two-sources", "table-header"} <= set(found)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("no title at all\n", 1, "no title"),
        (document(section(CONTACT_TITLE, "Once upon a time.")), 12, "no synchronization statement"),
        (document(section(CONTACT_TITLE, EVERY, PROPERTIES_INTRO,
                          table(("a", "b", '"date"'), header=PROPERTY_HEADER))), 24, "unknown data type"),
        (document(section(CONTACT_TITLE, EVERY, PROPERTIES_INTRO,
                          table(("a", "b"), header=PROPERTY_HEADER[:2]))), 18, "2 columns; expected 3"),
        (document(section("Customcrm Contact and Chargebee Customer", EVERY)), 12, "is not"),
        (document(section("Contact to Customer", EVERY)), 12, "is not"),
    ],
)
def test_unreadable_documents_raise_spec_error_with_line(text, line, message):
    with pytest.raises(SpecError) as raised:
        parse(text)
    assert raised.value.line == line
    assert message in raised.value.message
    assert str(raised.value).startswith(f"customcrm-chargebee.rst:{line}: ")


def test_bad_directive_option_is_an_error_at_its_line():
    text = document(section(CONTACT_TITLE, EVERY, PROPERTIES_INTRO,
                            table(("a", "b", '"string"'), header=PROPERTY_HEADER).replace(":header-rows: 1", ":header-rows: one")))
    with pytest.raises(SpecError) as raised:
        parse(text)
    assert raised.value.line == 18


def test_section_naming_other_systems_is_read_with_a_warning():
    text = document(section("Acme Contact to Other Customer", "Every Acme Contact will be synchronized with a Other Customer."))
    (mapping,), findings = parse(text)[0].mappings, parse(text)[1]
    assert (mapping.source_entity, mapping.target_entity) == ("Contact", "Customer")
    assert "section-systems" in codes(findings)


def test_blank_source_system_falls_back_to_file_name():
    text = document(
        section("Items to Tripletex Product", "Every  Items will be synchronized with a Tripletex Product."),
        title=" to Tripletex Dataflow",
    )
    dataflow, findings = parse(text, "exact-tripletex.rst")
    assert (dataflow.source_system, dataflow.target_system) == ("exact", "Tripletex")
    assert (dataflow.mappings[0].source_entity, dataflow.mappings[0].target_entity) == ("Items", "Product")
