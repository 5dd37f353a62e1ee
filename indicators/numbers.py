"""How indicator figures are written: exactly as entered, without padding zeros (pure, no Django)."""

from decimal import Decimal


def plain_number(value: Decimal | int | None) -> str:
    """"30.0000" → "30", "0.8500" → "0.85", never "1E+2"; None → ""."""
    if value is None:
        return ""
    number = Decimal(value)
    if number == 0:
        return "0"  # not "-0"
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"
