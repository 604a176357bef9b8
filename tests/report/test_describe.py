"""Values in failure messages carry their type: `integer 4202` and `text "4202"` never look alike."""
from qa_checklist.shared.describe import describe, without_addresses


def test_a_value_is_described_with_its_type():
    assert describe(4202) == "integer 4202"
    assert describe("4202") == 'text "4202"'
    assert f"expected {describe(4202)}, the MemberCare API holds {describe('4202')}" == (
        'expected integer 4202, the MemberCare API holds text "4202"')
    assert [describe(v) for v in (1.5, True, None, "", ["a", 1], {"city": "Oslo"})] == [
        "decimal 1.5", "boolean true", "nothing (null)", "empty text", 'list ["a", 1]', 'object {"city": "Oslo"}']
    assert describe("x" * 200).endswith("…") and len(describe("x" * 200)) < 100


def test_object_addresses_are_dropped():
    text = "where False = check(<sync.testing.HarnessFactory object at 0x7f3a2b1c0d10>, <Foo at 0xABCDEF>)"
    assert without_addresses(text) == "where False = check(<HarnessFactory>, <Foo>)"
