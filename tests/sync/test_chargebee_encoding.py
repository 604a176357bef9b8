"""Chargebee's form encoding: nested keys and indexed arrays, both ways."""
from hypothesis import given, strategies as st

from sync.connectors import formcodec

word = st.text(alphabet="abcdefgh_", min_size=1, max_size=6).filter(lambda s: not s.isdigit())
text = st.text(alphabet="abc 123-@.", max_size=8)


def test_nested_object_and_indexed_array_keys():
    pairs = formcodec.encode({
        "first_name": "Ada", "billing_address": {"city": "Oslo", "zip": "0150"},
        "order_line_items": [{"unit_price": 100, "qty": 1}, {"unit_price": 250, "qty": 2}],
        "tags": ["a", "b"], "auto_collection": True,
    })
    assert ("billing_address[city]", "Oslo") in pairs
    assert ("order_line_items[unit_price][0]", "100") in pairs
    assert ("order_line_items[unit_price][1]", "250") in pairs
    assert ("tags[1]", "b") in pairs
    assert ("auto_collection", "true") in pairs


@given(st.dictionaries(word, st.one_of(
    text,
    st.dictionaries(word, text, min_size=1, max_size=3),
    st.lists(st.fixed_dictionaries({"unit_price": text, "qty": text}), min_size=1, max_size=3),
), max_size=4))
def test_decode_inverts_encode(data):
    assert formcodec.decode(formcodec.encode(data)) == data
