"""Exact money in 万元 (10,000 yuan), stored as whole yuan.

The plan states every amount in 万元 with up to two decimals; the product keeps
amounts exact to the yuan, i.e. four decimals of 万元. Storing whole yuan as an
integer keeps every sum exact on SQLite too, where a DECIMAL column is really a
15-digit float and SUM() drifts over many rows.

Pure module: no Django imports.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

YUAN_PER_WAN = 10_000
# 4 decimals of 万元 = 1 yuan; the finest amount the product can hold.
YUAN = Decimal("0.0001")
CENTS_OF_WAN = Decimal("0.01")
# Largest amount a BIGINT of yuan holds comfortably, in 万元 (about 9.2e14).
MAX_WAN = Decimal(2**63 - 1) / YUAN_PER_WAN


class InexactAmount(ValueError):
    """The amount has a fraction of a yuan, or is not a finite number."""


def to_yuan(amount: Decimal | int | str) -> int:
    """万元 → whole yuan, refusing anything that would lose a fraction of a yuan.

    Floats are refused on purpose: 168.15 as a float is 168.1499999…, and
    money must never pass through one. Parse spreadsheet cells with
    planportal.lib.numbers first.
    """
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError(f"amount {amount!r} must be a Decimal, int or str, never {type(amount).__name__}")
    if isinstance(amount, int):
        return amount * YUAN_PER_WAN
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise InexactAmount(f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise InexactAmount(f"{amount!r} is not a finite number")
    yuan = value * YUAN_PER_WAN
    if yuan != yuan.to_integral_value():
        raise InexactAmount(f"{amount} 万元 is not a whole number of yuan (at most 4 decimals)")
    if abs(value) > MAX_WAN:
        raise InexactAmount(f"{amount} 万元 is too large")
    return int(yuan)


def from_yuan(yuan: int | Decimal) -> Decimal:
    """Whole yuan → 万元, with 2 decimals, or 4 when the amount has odd yuan.

    Databases hand back SUM(bigint) as int (SQLite) or as an integral Decimal
    (PostgreSQL): both are accepted.
    """
    if isinstance(yuan, Decimal):
        if yuan != yuan.to_integral_value():
            raise InexactAmount(f"{yuan} is not a whole number of yuan")
        yuan = int(yuan)
    value = Decimal(yuan) / YUAN_PER_WAN
    two_places = value.quantize(CENTS_OF_WAN)
    return two_places if two_places == value else value.quantize(YUAN)


def round_to_yuan(amount: Decimal) -> Decimal:
    """The one rounding rule of the product: to the yuan, half to even (banker's)."""
    return amount.quantize(YUAN, rounding=ROUND_HALF_EVEN)


def format_wan(amount: Decimal | None, *, empty: str = "") -> str:
    """'1234567.5' → '1,234,567.50': thousands separators, 2 decimals (4 if it has odd yuan)."""
    if amount is None:
        return empty
    places = 2 if amount == amount.quantize(CENTS_OF_WAN) else 4
    return f"{amount:,.{places}f}"
