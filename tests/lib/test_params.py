"""planportal.lib.params: the one reading of a number or a text from a query parameter."""
import pytest

from planportal.lib.params import MAX_DIGITS, integer, storable, whole_number


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 12 ", 12), ("0", 0), ("9" * MAX_DIGITS, int("9" * MAX_DIGITS)), (7, 7),
    ("-1", None), ("+1", None), ("1.0", None), ("1e3", None), ("", None), (None, None), (True, None),
    ("²", None), ("١٢", None), ("１２", None), ("1\x00", None), ("9" * (MAX_DIGITS + 1), None), ("9" * 5000, None),
    (-1, None), (10 ** MAX_DIGITS, None),
])
def test_whole_number(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("12", 12), ("-3", -3), ("+4", 4), ("-" + "9" * MAX_DIGITS, -int("9" * MAX_DIGITS)), (-5, -5),
    ("1.5", None), ("--1", None), ("²", None), ("١٢", None), ("9" * (MAX_DIGITS + 1), None), (False, None),
])
def test_integer(value, expected):
    assert integer(value) == expected


def test_every_number_read_fits_a_bigint():
    assert int("9" * MAX_DIGITS) < 2 ** 63 - 1


@pytest.mark.parametrize("text, expected", [("科右中旗", True), ("", True), ("\x00", False), ("a\x00b", False)])
def test_storable(text, expected):
    assert storable(text) is expected
