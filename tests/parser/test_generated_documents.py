"""Documents written from the publisher's sentence templates with arbitrary names parse back exactly."""
import pytest
from hypothesis import given, settings, strategies as st

from .documents import parse

pytestmark = pytest.mark.slow  # hypothesis writes and parses many documents

WORD = st.from_regex(r"[A-Z][a-z]{1,8}(_[a-z]{2,5}|\.[a-z]{2,3}|-[A-Z][a-z]{1,4}|[0-9])?", fullmatch=True)
QUALIFIER = st.sampled_from(["", " (human data)", " (organisation data)", " v2", " Øst"])
SYSTEM = st.lists(WORD, min_size=1, max_size=2).map(" ".join)
PATH = st.from_regex(r"[a-z][A-Za-z]{0,8}(\.[a-z][A-Za-z_]{0,8}){0,2}", fullmatch=True)
TYPE = st.sampled_from(['"string"', '"integer"', '"float"', '"boolean"', "N/A"])


@st.composite
def entity(draw):
    return " ".join(draw(st.lists(WORD, min_size=1, max_size=2))) + draw(QUALIFIER)


def table(header, rows):
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in (header, *rows):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines)


@st.composite
def dataflow_document(draw):
    source_system, target_system = draw(SYSTEM), draw(SYSTEM)
    sections = draw(st.lists(st.tuples(entity(), entity(), st.sampled_from(["every", "link_required", "conditional"]),
                                       st.lists(st.tuples(PATH, PATH), max_size=2),
                                       st.lists(st.tuples(PATH, PATH, TYPE), max_size=4), st.booleans()),
                             min_size=1, max_size=4))
    title = f"{source_system} to {target_system} Dataflow"
    text = f"{'=' * len(title)}\n{title}\n{'=' * len(title)}\n\nGenerated: 2024-11-13 00:00:00\n\n"
    text += "Introduction\n------------\n\nIt serves as a QA checklist for testing purposes.\n"
    for source_entity, target_entity, sync, keys, rows, bidirectional in sections:
        s, t = f"{source_system} {source_entity}", f"{target_system} {target_entity}"
        heading = f"{s} to {t}"
        body = [{
            "every": f"Every {s} will be synchronized with a {t}.",
            "link_required": f"Before any synchronization can take place, a link between a {s} and a {t} must be established.",
            "conditional": f"When a {s} is ready, it  will be synchronized with a {t}.",
        }[sync]]
        if keys:
            body.append(f"A {s} will merge with a {t} if one of the following property combinations match:")
            body.append(table((f"{s} Property", f"{t} Property"), keys))
        if bidirectional:
            body.append(f"Once a link between a {s} and a {t} is established, it will keep in sync between the two "
                        "systems, regardless of where it is edited.")
        body.append(f"The following properties are synchronized between a {s} and a {t}:")
        body.append(table((f"{s} Property", f"{t} Property", f"{target_system} Data Type"), rows))
        text += f"\n{heading}\n{'-' * len(heading)}\n" + "\n\n".join(body) + "\n\n"
    return text, source_system, target_system, sections


@settings(max_examples=60, deadline=None)
@given(dataflow_document())
def test_names_statements_and_rows_survive_a_round_trip(generated):
    text, source_system, target_system, sections = generated
    dataflow, findings = parse(text, "generated-doc.rst")
    assert (dataflow.source_system, dataflow.target_system) == (source_system, target_system)
    assert len(dataflow.mappings) == len(sections)
    for mapping, (source_entity, target_entity, sync, keys, rows, bidirectional) in zip(dataflow.mappings, sections):
        assert (mapping.source_entity, mapping.target_entity, mapping.sync) == (source_entity, target_entity, sync)
        assert mapping.bidirectional == bidirectional
        assert [(k.source, k.target) for k in mapping.merge_keys] == keys
        expected = [(a, b, None if c == "N/A" else c.strip('"')) for a, b, c in rows]
        assert [(p.source, p.target, p.type) for p in mapping.properties] == expected
        if sync == "conditional":
            assert mapping.condition == f"When a {source_system} {source_entity} is ready"
    assert not [f for f in findings if f.code in ("unrecognized-paragraph", "section-systems", "table-header")]
