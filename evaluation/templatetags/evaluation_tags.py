from django import template
from django.utils.translation import get_language

from evaluation.labels import ATTAINED_LABELS, CHECK_LABELS, ORIGIN_LABELS, STATUS_LABELS
from evaluation.numbers import wan_display

register = template.Library()


@register.filter
def amount(value):
    """An amount string of the evaluation ("56832.60") as people read it: 56,832.60; missing: —."""
    return wan_display(value)


@register.filter
def stated_value(value, unit):
    """A stated or computed figure: an amount when its unit is 万元, else as written."""
    if value is None:
        return "—"
    return wan_display(value) if unit == "万元" else value


@register.filter
def origin_label(origin):
    return ORIGIN_LABELS.get(origin, origin)


@register.filter
def check_label(status):
    return CHECK_LABELS.get(status, status or "—")


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


@register.filter
def attained_label(attained):
    return ATTAINED_LABELS.get(attained, attained)


@register.filter
def years_text(years):
    separator = ", " if (get_language() or "").startswith("en") else "、"
    return separator.join(str(year) for year in years or ())
