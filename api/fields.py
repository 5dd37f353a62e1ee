"""Serializer fields the API shares: money, plain decimals, and references within one plan."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.lookups import find_category
from planportal.lib.money import from_yuan, to_yuan
from plans.models import Category


class AmountField(serializers.DecimalField):
    """An amount in 万元 as a decimal string ("800.00"), exact to the yuan: at most 4 decimals, never negative."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 19)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        # 2 decimals, or 4 when the amount has odd yuan: the way the rest of the product writes money.
        return str(from_yuan(to_yuan(Decimal(value))))


class PlainDecimalField(serializers.DecimalField):
    """A decimal as a string without trailing zeros ("151", "54881.65"): counts, percentages, stated values."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 4)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return plain_decimal(value)


def plain_decimal(value) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value).normalize():f}"


class PlanScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id of a record of the request's plan (serializer context "plan"); any other id is unknown."""

    def __init__(self, *, plan_lookup: str = "plan", **kwargs):
        self.plan_lookup = plan_lookup
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        plan = self.context.get("plan")
        return queryset.none() if plan is None else queryset.filter(**{self.plan_lookup: plan})


@extend_schema_field(OpenApiTypes.INT)
class CategoryField(PlanScopedPrimaryKeyField):
    """A category of the plan: written as its id, Chinese name (基础设施类 or 基础设施) or code; read as its id."""

    default_error_messages = {"incorrect_type": _("Give the category's id or name.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Category.objects.all())
        kwargs.setdefault("help_text", "The category's id; its name (基础设施类) or code is accepted too.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type")
        plan = self.context.get("plan")
        category = find_category(plan, data) if plan is not None and str(data).strip() else None
        if category is None:
            raise serializers.ValidationError(_("This plan has no category “%(value)s”.") % {"value": data})
        return category
