"""Admin pieces shared by every plan-owned model.

A staff user who is not a superuser sees in the admin only rows of the plans
they are a member of; long lists of choices (categories, units, places) are
offered only once a plan is chosen, so a database of a thousand plans keeps
its filter sidebar short.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.hooks import totals_changed
from plans.models import Plan


class PlanScopedAdmin(admin.ModelAdmin):
    # The lookup from this model to its Plan, e.g. "plan" or "plan_year__plan".
    plan_path = "plan"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.plan_path}__in": Plan.objects.visible_to(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only rows of the user's own plans in every plan-owned choice list.
        related = db_field.related_model
        if not request.user.is_superuser:
            if related is Plan:
                kwargs["queryset"] = Plan.objects.visible_to(request.user)
            elif any(f.name == "plan" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(plan__in=Plan.objects.visible_to(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyPlanScopedAdmin(PlanScopedAdmin):
    """Derived or recorded rows (totals, disagreements, review events): listed, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanFilter(admin.SimpleListFilter):
    """Filter by plan; its parameter name is shared by the dependent filters below."""

    title = _("plan")
    parameter_name = "plan"
    plan_path = "plan"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.code) for p in Plan.objects.visible_to(request.user).only("pk", "code")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.plan_path: self.value()})
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
        plan_id = request.GET.get(PlanFilter.parameter_name)
        if not plan_id or not plan_id.isdigit():
            visible = Plan.objects.visible_to(request.user)
            if visible.count() != 1:
                return []
            plan_id = visible.get().pk
        rows = self.related_model._default_manager.filter(plan_id=plan_id, **self.extra_filter)
        return [(str(pk), label) for pk, label in rows.values_list("pk", self.label_field)]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.field_path: self.value()})
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
        from plans.models import PlanYear

        years = PlanYear.objects.filter(plan__in=Plan.objects.visible_to(request.user))
        return [(str(y), str(y)) for y in years.values_list("year", flat=True).distinct().order_by("year")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.year_path: int(self.value())})
        return queryset


def year_filter(path: str) -> type[YearFilter]:
    return type(f"YearFilter_{path}", (YearFilter,), {"year_path": path})


class RecomputesPlanAdmin(admin.ModelAdmin):
    """After an admin edit of a plan's records, ask for the plan's totals to be recomputed."""

    def plan_id_of(self, obj) -> int | None:
        path = getattr(self, "plan_path", "plan")
        for part in path.split("__"):
            if obj is None:
                return None
            obj = getattr(obj, part, None)
        return getattr(obj, "pk", None)

    def _request(self, *objs) -> None:
        for plan_id in {self.plan_id_of(obj) for obj in objs} - {None}:
            totals_changed(plan_id)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._request(obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        self._request(form.instance)

    def delete_model(self, request, obj):
        self._request(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._request(*queryset)
        super().delete_queryset(request, queryset)
