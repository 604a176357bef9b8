"""Checklist item ids come from what an item says, not where it is: history survives an edit."""
from generator.checklist import checklist_items, path_slug
from generator.parser import parse_document

ROW = '''   * - companyName
     - company
     - "string"
'''
INSERTED = '''   * - phone
     - phone_number
     - "string"
'''


def ids(text: str) -> dict[str, list[str]]:
    dataflow, _findings = parse_document(text, "examples/customcrm-chargebee-example.rst")
    return {m.id: [i.id for i in checklist_items(m)] for m in dataflow.mappings}


def test_an_inserted_property_row_changes_no_other_items_id(specs_dir):
    text = (specs_dir / "examples" / "customcrm-chargebee-example.rst").read_text(encoding="utf-8")
    assert text.count(ROW) == 1
    before = ids(text)
    after = ids(text.replace(ROW, INSERTED + ROW))
    section = "examples/customcrm-chargebee-example/lead-to-customer"
    added = set(after[section]) - set(before[section])
    assert added == {f"{section}/property/phone-to-phone-number"}
    assert [i for i in after[section] if i not in added] == before[section]
    assert {k: v for k, v in after.items() if k != section} == {k: v for k, v in before.items() if k != section}


def test_ids_name_the_statement_kind_and_the_rows_paths(specs_dir):
    text = (specs_dir / "examples" / "customcrm-chargebee-example.rst").read_text(encoding="utf-8")
    suffixes = [i.removeprefix("examples/customcrm-chargebee-example/lead-to-customer/")
                for i in ids(text)["examples/customcrm-chargebee-example/lead-to-customer"]]
    assert suffixes == ["sync", "bidirectional", "property/company-name-to-company", "property/email-to-email",
                        "property/currency-to-preferred-currency-code", "no-echo", "conflict", "optimistic-locking",
                        "pass-report", "faults"]


def test_a_repeated_row_gets_a_deterministic_suffix(specs_dir):
    text = (specs_dir / "examples" / "customcrm-chargebee-example.rst").read_text(encoding="utf-8")
    section = "examples/customcrm-chargebee-example/lead-to-customer"
    twice = ids(text.replace(ROW, ROW + ROW))[section]
    assert [i for i in twice if "company-name" in i] == [f"{section}/property/company-name-to-company",
                                                         f"{section}/property/company-name-to-company-2"]
    assert twice == ids(text.replace(ROW, ROW + ROW))[section]


def test_path_slugs_keep_the_path_structure():
    assert path_slug("billing_address.city") == "billing-address.city"
    assert path_slug("emailAddress") == "email-address"
    assert path_slug("Åpen Dato") == "apen-dato"
