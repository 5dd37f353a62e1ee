"""A model field for money in 万元 that is exact on every database."""

from decimal import Decimal

from django import forms
from django.core import exceptions
from django.db import models
from django.utils.translation import gettext_lazy as _

from planportal.lib.money import InexactAmount, from_yuan, to_yuan


class WanYuanField(models.Field):
    """Decimal 万元 in Python, integer yuan in the database.

    It deliberately does not subclass IntegerField: IntegerField's lookups round
    a float right-hand side up to a whole number, which would turn 168.15 万元
    into 169 万元 before conversion. Sum()/F() arithmetic stays in integer yuan
    inside the database and is converted back here, so totals are exact.
    """

    description = _("Amount in 万元, stored exactly as whole yuan")
    is_money = True  # shown in 万元 with separators (planportal.history)
    empty_strings_allowed = False
    default_error_messages = {
        "invalid": _("“%(value)s” is not an amount in 万元 exact to the yuan (at most 4 decimals)."),
    }

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_yuan(value)

    def to_python(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, float):
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        try:
            to_yuan(value)  # validates: finite, whole yuan, in range
        except (InexactAmount, TypeError):
            raise exceptions.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return to_yuan(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.DecimalField,
            "max_digits": 19,
            "decimal_places": 4,
        }
        defaults.update(kwargs)
        return super().formfield(**defaults)
