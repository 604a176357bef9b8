"""Dotted paths: nested objects, and paths through lists applying to the list's items."""
from hypothesis import given, strategies as st

from sync.paths import get_path, set_path, values_equal

segment = st.text(alphabet="abcxyz", min_size=1, max_size=4)
scalar = st.one_of(st.integers(), st.text(max_size=5), st.booleans())


def test_nested_path_reads_and_builds_objects():
    record = set_path({}, "billing_address.city", "Oslo")
    assert record == {"billing_address": {"city": "Oslo"}}
    assert get_path(record, "billing_address.city") == "Oslo"
    assert get_path(record, "billing_address.zip") is None


def test_path_through_a_list_applies_to_each_item():
    record = {"invoiceItems": [{"unitPrice": 1}, {"unitPrice": 2}, {}]}
    assert get_path(record, "invoiceItems.unitPrice") == [1, 2, None]
    set_path(record, "invoiceItems.quantity", "3")
    assert [item["quantity"] for item in record["invoiceItems"]] == ["3", "3", "3"]


def test_deep_path_through_a_list():
    record = {"addresses": [{"postalCode": {"city": "Oslo"}}, {"postalCode": {"city": "Bergen"}}]}
    assert get_path(record, "addresses.postalCode.city") == ["Oslo", "Bergen"]


def test_a_list_of_values_builds_a_list_of_items():
    record = set_path({}, "lines.price", [1, 2])
    assert record == {"lines": [{"price": 1}, {"price": 2}]}


def test_broadcast_value_equals_each_item():
    assert values_equal("3", ["3", "3"])
    assert not values_equal("3", [])
    assert not values_equal(1, True)


@given(st.lists(segment, min_size=1, max_size=4), scalar)
def test_scalar_round_trips_through_any_nested_path(parts, value):
    path = ".".join(parts)
    assert get_path(set_path({}, path, value), path) == value


@given(segment, st.lists(segment, min_size=1, max_size=3), st.lists(scalar, min_size=1, max_size=5))
def test_list_of_values_round_trips_through_a_list_path(head, tail, values):
    path = ".".join([head, *tail])
    assert get_path(set_path({}, path, values), path) == values
