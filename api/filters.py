"""Query-string filters of the list endpoints, validated (a bad value is a 400 naming the parameter).

Each backend declares its parameters once: they filter the list and describe
themselves in the OpenAPI schema. Names (category, unit, township) are looked up
in the request's plan only. The projects' filters are funding.filters.ProjectFilterSet
(shared with the list page and the admin), applied by PlanFilterBackend. Numbers and
texts are read by the rules of planportal.lib.params (at most 18 ASCII digits; no NUL
byte), the same as the pages' and the admin's.
"""

from dataclasses import dataclass
from typing import Callable

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

from projects.lookups import find_category
from figures.models import StatedFigure
from planportal.lib.params import integer, storable
from rollups.models import Rollup, Variance


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    apply: Callable  # (queryset, raw value, plan) -> queryset; raises ValueError with a message
    schema: dict


def _int(raw: str) -> int:
    value = integer(raw)
    if value is None:
        raise ValueError(_("Enter a whole number of at most 18 digits."))
    return value


def _choice(choices) -> Callable[[str], str]:
    def check(raw: str) -> str:
        if raw not in choices:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": raw, "choices": ", ".join(choices)})
        return raw
    return check


def _found(record, raw: str, message: str):
    if record is None:
        raise ValueError(message % {"value": raw})
    return record


def _year_param(description, *, whole_plan: bool = False) -> Param:
    """`year=2023`; with whole_plan, `year=all` selects the rows that cover every year (year empty)."""
    def apply(qs, raw, plan):
        if whole_plan and raw == "all":
            return qs.filter(year__isnull=True)
        return qs.filter(year=_int(raw))
    schema = {"type": "string", "pattern": r"^(\d{4}|all)$"} if whole_plan else {"type": "integer"}
    return Param("year", description, apply, schema)


def _choice_param(name, description, choices) -> Param:
    check = _choice(list(choices))
    return Param(name, description, lambda qs, raw, plan: qs.filter(**{name: check(raw)}),
                 {"type": "string", "enum": list(choices)})


def _category_param(field: str) -> Param:
    def apply(qs, raw, plan):
        category = _found(find_category(plan, raw), raw, _("This plan has no category “%(value)s”."))
        return qs.filter(**{field: category})
    return Param("category", "Category: its id, Chinese name (基础设施类) or code.", apply,
                 {"type": "string"})


class ParamFilter(BaseFilterBackend):
    """Applies the view's `filter_params`; all errors are reported at once."""

    def filter_queryset(self, request, queryset, view):
        errors = {}
        for param in getattr(view, "filter_params", ()):
            raw = request.query_params.get(param.name, "").strip()
            if not raw:
                continue
            if not storable(raw):
                errors[param.name] = [_("This value contains a NUL character (\\0), which is not allowed.")]
                continue
            try:
                queryset = param.apply(queryset, raw, view.plan)
            except ValueError as exc:
                errors[param.name] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            {"name": p.name, "required": False, "in": "query", "description": p.description, "schema": p.schema}
            for p in getattr(view, "filter_params", ())
        ]


class PlanFilterBackend(DjangoFilterBackend):
    """django-filter's backend, handing the view's plan to the FilterSet (its choices are that plan's)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["plan"] = view.plan
        return kwargs


class Ordering(OrderingFilter):
    ordering_description = "Sort by these fields (comma-separated; a leading - reverses)."


BUDGET_PARAMS = (
    Param("year", "Budgets of this year.", lambda qs, raw, plan: qs.filter(plan_year__year=_int(raw)),
          {"type": "integer"}),
    Param("project", "Budgets of this project (its id).",
          lambda qs, raw, plan: qs.filter(project_id=_int(raw)), {"type": "integer"}),
    _category_param("project__category"),
)

FIGURE_PARAMS = (
    _choice_param("origin", "Where the figure comes from.", StatedFigure.Origin.values),
    _year_param("Figures of this year; “all” for the figures about the whole plan.", whole_plan=True),
    _category_param("category"),
    Param("metric", "Metric, e.g. projects, total_investment, beijing_funds, local_funds.",
          lambda qs, raw, plan: qs.filter(metric=raw), {"type": "string"}),
)

ROLLUP_PARAMS = (
    _choice_param("kind", "What the totals are grouped by.", Rollup.Kind.values),
    _year_param("Totals of this year; “all” for the totals over every year.", whole_plan=True),
)

VARIANCE_PARAMS = (
    _choice_param("status", "Outcome of the comparison.", Variance.Status.values),
    _year_param("Comparisons of this year; “all” for those about the whole plan.", whole_plan=True),
    _choice_param("kind", "What is compared.", Variance.Kind.values),
)
