from django import template

from indicators.numbers import plain_number
from indicators.overview import STATUS_LABELS

register = template.Library()


@register.filter
def plain(value):
    """An indicator figure without padding zeros: 30.0000 → 30."""
    return plain_number(value)


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)
