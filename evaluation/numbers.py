"""How the evaluation writes its figures (pure, no Django): exact decimal strings, never floats."""

from decimal import Decimal

from indicators.numbers import plain_number
from indicators.progress import percent_of_target
from planportal.lib.money import format_wan, from_yuan, to_yuan


def amount_text(value) -> str:
    """An amount in 万元 as the product stores it: "56832.60"; four decimals only for odd yuan ("0.0001")."""
    return str(from_yuan(to_yuan(Decimal(value))))


def figure_text(value, *, money: bool) -> str | None:
    """A stated or computed figure: an amount (amount_text) or a plain number ("151", "0.85"); None stays None."""
    if value is None:
        return None
    return amount_text(value) if money else plain_number(value)


def percent_text(part, whole) -> str | None:
    """part ÷ whole in percent to one decimal, rounded exactly as indicator progress is; None when whole is 0."""
    percent = percent_of_target(Decimal(part), Decimal(whole))
    return None if percent is None else str(percent)


def wan_display(value, *, empty: str = "—") -> str:
    """An amount string or Decimal for people: thousands separators and two decimals ("56,832.60")."""
    if value is None or value == "":
        return empty
    return format_wan(Decimal(value))
