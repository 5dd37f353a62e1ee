from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planportal.lib.money import InexactAmount, format_wan, from_yuan, round_to_yuan, to_yuan


@pytest.mark.parametrize(
    "amount, yuan",
    [
        (Decimal("168.15"), 1_681_500),
        (Decimal("86.5"), 865_000),
        (Decimal("1921.11"), 19_211_100),
        (Decimal("0.0001"), 1),
        ("54881.65", 548_816_500),
        (0, 0),
        (Decimal("12.3400"), 123_400),
    ],
)
def test_to_yuan_is_exact(amount, yuan):
    assert to_yuan(amount) == yuan


@pytest.mark.parametrize("amount", [Decimal("0.00001"), "1.23456", "NaN", "Infinity", "abc", Decimal("1e20")])
def test_to_yuan_refuses_what_is_not_whole_yuan(amount):
    with pytest.raises(InexactAmount):
        to_yuan(amount)


@pytest.mark.parametrize("amount", [168.15, True])
def test_to_yuan_refuses_floats_and_bools(amount):
    with pytest.raises(TypeError):
        to_yuan(amount)


@pytest.mark.parametrize(
    "yuan, shown",
    [(1_681_500, "168.15"), (865_000, "86.50"), (1, "0.0001"), (Decimal(548_816_500), "54881.65"), (0, "0.00")],
)
def test_from_yuan_gives_two_decimals_unless_odd_yuan(yuan, shown):
    assert str(from_yuan(yuan)) == shown


def test_from_yuan_refuses_a_fraction_of_a_yuan():
    with pytest.raises(InexactAmount):
        from_yuan(Decimal("1.5"))


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_yuan_round_trip(yuan):
    assert to_yuan(from_yuan(yuan)) == yuan


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_wan_round_trip(amount):
    assert from_yuan(to_yuan(amount)) == amount


def test_format_wan_uses_thousands_separators():
    assert format_wan(Decimal("54881.65")) == "54,881.65"
    assert format_wan(Decimal("1234567.0001")) == "1,234,567.0001"
    assert format_wan(None, empty="—") == "—"


def test_round_to_yuan_is_half_even():
    assert round_to_yuan(Decimal("0.00005")) == Decimal("0.0000")
    assert round_to_yuan(Decimal("0.00015")) == Decimal("0.0002")
