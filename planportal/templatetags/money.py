from decimal import Decimal

from django import template

from planportal.lib.money import format_wan

register = template.Library()


@register.filter
def wan(value):
    """An amount in 万元 with thousands separators: 54881.65 → 54,881.65; missing → 0.00."""
    if value in (None, ""):
        value = Decimal(0)
    return format_wan(value)
