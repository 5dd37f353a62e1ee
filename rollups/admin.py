"""Admin pieces of the totals: a mixin that keeps totals current after admin edits, and read-only lists."""

from django.contrib import admin

from plans.admin_scoping import ReadOnlyPlanScopedAdmin, plan_filter
from rollups.models import RecomputeState, Rollup, Variance


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
        from rollups.services import request_recompute

        for plan_id in {self.plan_id_of(obj) for obj in objs} - {None}:
            request_recompute(plan_id)

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


@admin.register(RecomputeState)
class RecomputeStateAdmin(ReadOnlyPlanScopedAdmin):
    list_display = ["plan", "requested_at", "started_at", "computed_at", "last_error"]
    list_select_related = ["plan"]


@admin.register(Rollup)
class RollupAdmin(ReadOnlyPlanScopedAdmin):
    list_display = ["plan", "kind", "year", "category", "unit", "township", "projects", "total_investment",
                    "beijing_funds", "local_funds", "computed_at"]
    list_filter = [plan_filter("plan"), "kind", "year"]
    list_select_related = ["plan", "category", "unit", "township"]


@admin.register(Variance)
class VarianceAdmin(ReadOnlyPlanScopedAdmin):
    list_display = ["plan", "kind", "status", "year", "category", "metric", "stated", "computed", "difference",
                    "source"]
    list_filter = [plan_filter("plan"), "kind", "status", "year"]
    list_select_related = ["plan", "category"]
    search_fields = ["source", "metric"]
