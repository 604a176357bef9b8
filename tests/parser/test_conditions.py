"""Property cells with the publisher's conditions: `path (Dependant on having <value> in <path>)`."""
import json

import pytest

from generator.checklist import checklist_items
from generator.conditions import split_cell
from generator.model import Condition
from generator.model_json import embedded_mapping_json, mapping_from_json, mapping_json

from .documents import CONTACT_TITLE, EVERY, PROPERTIES_INTRO, PROPERTY_HEADER, document, parse, section, table


@pytest.mark.parametrize("cell, path, condition", [
    ("email", "email", None),
    ("phone_numbers.number (Dependant on having wd:Q17517 in phone_numbers.name)", "phone_numbers.number",
     Condition("source", "phone_numbers.name", "wd:Q17517")),
    ("OrgNr (Dependant on having NO in Country.TwoLetterISOCountry)", "OrgNr",
     Condition("source", "Country.TwoLetterISOCountry", "NO")),
    ("department.id (Dependant on having wd:Q2366457 in )", "department.id", Condition("source", "", "wd:Q2366457")),
    ("toObjectId (Dependant on having in sesam_simpleAssociationTypes)", "toObjectId",
     Condition("source", "sesam_simpleAssociationTypes", "")),
    ("x (Dependant on having Made in Norway in origin)", "x", Condition("source", "origin", "Made in Norway")),
    # The publisher's repeated clause, with no separator: identical clauses read as one.
    ("OrgNr (Dependant on having wd:Q852835 in Country.TwoLetterISOCountryDependant on having wd:Q852835 in "
     "Country.TwoLetterISOCountry)", "OrgNr", Condition("source", "Country.TwoLetterISOCountry", "wd:Q852835")),
    ("n (Dependant on having wd:Q11994066 in M.CDependant on having wd:Q11994066 in M.CDependant on having NO in M.C)",
     "n", Condition("source", "M.C", "wd:Q11994066", (Condition("source", "M.C", "NO"),))),
    ("a note (not a condition)", "a note (not a condition)", None),
])
def test_a_cell_splits_into_its_clean_path_and_condition(cell, path, condition):
    assert split_cell(cell, "source") == (path, condition)


def test_conditions_in_a_document_with_findings_at_the_row_line_and_json_both_ways():
    text = document(section(
        CONTACT_TITLE, EVERY, PROPERTIES_INTRO,
        table(("phone_numbers.number (Dependant on having wd:Q17517 in phone_numbers.name)", "phone", '"string"'),
              ("dept", "department.id (Dependant on having wd:Q2366457 in  )", "N/A"),
              ("vat (Dependant on having  in country)", "vat", '"string"'),
              ("n (Dependant on having A in cDependant on having B in c)", "n", '"string"'),
              ("a (Dependant on having X in p)", "b (Dependant on having Y in q)", '"string"'),
              header=PROPERTY_HEADER)))
    dataflow, findings = parse(text)
    (mapping,) = dataflow.mappings
    rows = mapping.properties
    assert [(r.source, r.target) for r in rows] == [
        ("phone_numbers.number", "phone"), ("dept", "department.id"), ("vat", "vat"), ("n", "n"), ("a", "b")]
    assert rows[0].when == Condition("source", "phone_numbers.name", "wd:Q17517") and rows[0].when.problem() is None
    assert rows[1].when == Condition("target", "", "wd:Q2366457")
    assert rows[4].when.others == (Condition("target", "q", "Y"),), "a condition on each side is two conditions"
    conditioned = [(f.code, f.line) for f in findings if f.code.startswith("condition")]
    assert conditioned == [("condition-blank", rows[1].line), ("condition-blank", rows[2].line),
                           ("condition-several", rows[3].line), ("condition-several", rows[4].line)]
    public = mapping_json(mapping)["properties"]
    assert public[0]["when"] == {"side": "source", "path": "phone_numbers.name", "has": "wd:Q17517", "others": []}
    assert public[3]["when"]["others"] == [{"side": "source", "path": "c", "has": "B", "others": []}]
    assert mapping_from_json(json.loads(json.dumps(embedded_mapping_json(mapping)))) == mapping
    labels = [i.label for i in checklist_items(mapping) if i.kind == "property"]
    assert labels[0] == "phone_numbers.number -> phone (string), only where the source's phone_numbers.name has wd:Q17517"


@pytest.mark.slow  # the publisher's corpus in ../shared
def test_the_sample_documents_conditions_are_all_read(corpus_sample):
    from generator.parser import parse_specs

    result = parse_specs(corpus_sample).result
    rows = [p for d in result.dataflows for m in d.mappings for p in m.properties]
    assert not [p for p in rows if "Dependant" in p.source + p.target], "an annotation left in a path"
    raw = sum(path.read_text(encoding="utf-8").count("(Dependant on having") for path in corpus_sample.glob("*.rst"))
    assert sum(1 for p in rows if p.when) == raw == 20
    blank = [f for f in result.findings if f.code == "condition-blank"]
    assert len(blank) == sum(1 for p in rows if p.when and p.when.problem()) == 10
