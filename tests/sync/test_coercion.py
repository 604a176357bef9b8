"""Coercion to the declared data type, including values that cannot be coerced."""
import pytest
from hypothesis import given, strategies as st

from sync.coercion import CoercionError, coerce


@pytest.mark.parametrize("value, data_type, expected", [
    ("42", "integer", 42), (" -7 ", "integer", -7), (3.0, "integer", 3),
    ("4.5", "float", 4.5), (2, "float", 2.0),
    ("true", "boolean", True), ("FALSE", "boolean", False), ("1", "boolean", True), (0, "boolean", False),
    (42, "string", "42"), (True, "string", "true"), ("x", "string", "x"),
    ("", "integer", None), (None, "string", None),
    (["1", "2"], "integer", [1, 2]),
])
def test_values_coerce_to_the_declared_type(value, data_type, expected):
    assert coerce(value, data_type) == expected
    assert type(coerce(value, data_type)) is type(expected)


@pytest.mark.parametrize("value", [{"a": 1}, [1, {"b": 2}], "x", 3.5])
def test_na_type_passes_values_through_unchanged(value):
    assert coerce(value, None) is value


@pytest.mark.parametrize("value, data_type", [
    ("forty-two", "integer"), ("4.5", "integer"), (True, "integer"), ("yes", "boolean"), (2, "boolean"),
    ("nan", "float"), ("abc", "float"), ({"a": 1}, "string"),
])
def test_uncoercible_values_raise_naming_the_type(value, data_type):
    with pytest.raises(CoercionError, match=data_type):
        coerce(value, data_type)


@given(st.integers())
def test_integers_round_trip_through_their_text(n):
    assert coerce(str(n), "integer") == n
    assert coerce(coerce(n, "string"), "integer") == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_through_their_text(x):
    assert coerce(coerce(x, "string"), "float") == x


@given(st.booleans())
def test_booleans_round_trip_through_their_text(b):
    assert coerce(coerce(b, "string"), "boolean") is b


@given(st.text())
def test_integer_coercion_either_succeeds_exactly_or_raises(text):
    try:
        result = coerce(text, "integer")
    except CoercionError:
        return
    assert result is None or int(text.strip()) == result
