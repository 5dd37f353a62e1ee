"""The admin's list filters shared by every plan-owned model.

Long lists of choices (categories, units, places) are offered only once a plan
is chosen, so a database of a thousand plans keeps its filter sidebar short.
Permissions and writes are plans.admin_base.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from planportal.lib.params import whole_number
from plans.models import Plan, PlanYear


def as_id(value) -> int | None:
    """A GET parameter as a row id (or a year), or None for anything else (letters, NUL bytes, huge numbers)."""
    return whole_number(value) if isinstance(value, str) else None


class PlanFilter(admin.SimpleListFilter):
    """Filter by plan; its parameter name is shared by the dependent filters below.

    A few plans are links, as every filter's choices are; past LINKS_UP_TO they are one select in a small form
    (a liaison of a thousand plans would get a thousand links, each with its own query string to build)."""

    title = _("plan")
    parameter_name = "plan"
    plan_path = "plan"
    LINKS_UP_TO = 30
    select_template = "admin/plan_filter_select.html"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.code) for p in Plan.objects.visible_to(request.user).only("pk", "code")
                .order_by("code")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # reads lookup_choices
        self.as_select = len(self.lookup_choices) > self.LINKS_UP_TO
        if self.as_select:
            self.template = self.select_template

    def choices(self, changelist):
        if not self.as_select:
            yield from super().choices(changelist)
            return
        # The form sends the list's other parameters along, as a link's query string would.
        self.kept_parameters = [(name, value) for name, value in changelist.params.items()
                                if name != self.parameter_name]
        for lookup, title in self.lookup_choices:
            yield {"value": lookup, "display": title, "selected": self.value() == lookup}

    def queryset(self, request, queryset):
        if self.value():
            plan_id = as_id(self.value())
            return queryset.filter(**{self.plan_path: plan_id}) if plan_id is not None else queryset.none()
        return queryset


def plan_filter(path: str) -> type[PlanFilter]:
    return type(f"PlanFilter_{path}", (PlanFilter,), {"plan_path": path})


class PlanDependentFilter(admin.SimpleListFilter):
    """Choices from one plan only: shown once a plan is selected in the plan filter."""

    related_model = None  # a plan-owned model, e.g. Category
    field_path = ""  # lookup from the admin's model to that related model, e.g. "category"
    label_field = "name"
    extra_filter: dict = {}

    def lookups(self, request, model_admin):
        plan_id = as_id(request.GET.get(PlanFilter.parameter_name))
        if plan_id is None:
            visible = Plan.objects.visible_to(request.user)
            if visible.count() != 1:
                return []
            plan_id = visible.get().pk
        rows = self.related_model._default_manager.filter(plan_id=plan_id, **self.extra_filter)
        return [(str(pk), label) for pk, label in rows.values_list("pk", self.label_field)]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if as_id(self.value()) is not None:
            return queryset.filter(**{self.field_path: as_id(self.value())})
        return queryset


def dependent_filter(title, parameter, related_model, field_path, label_field="name", **extra_filter):
    return type(
        f"Filter_{parameter}",
        (PlanDependentFilter,),
        {
            "title": title,
            "parameter_name": parameter,
            "related_model": related_model,
            "field_path": field_path,
            "label_field": label_field,
            "extra_filter": extra_filter,
        },
    )


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"
    year_path = "plan_year__year"

    def lookups(self, request, model_admin):
        years = PlanYear.objects.filter(plan__in=Plan.objects.visible_to(request.user))
        return [(str(y), str(y)) for y in years.values_list("year", flat=True).distinct().order_by("year")]

    def queryset(self, request, queryset):
        if as_id(self.value()) is not None:
            return queryset.filter(**{self.year_path: as_id(self.value())})
        return queryset


def year_filter(path: str) -> type[YearFilter]:
    return type(f"YearFilter_{path}", (YearFilter,), {"year_path": path})
