"""The totals, their disagreements and the recompute state in the admin: read-only, per plan."""

from django.contrib import admin

from plans.admin_base import ReadOnlyPlanAdmin
from plans.admin_scoping import plan_filter
from rollups.models import RecomputeState, Rollup, Variance


@admin.register(RecomputeState)
class RecomputeStateAdmin(ReadOnlyPlanAdmin):
    list_display = ["plan", "requested_at", "started_at", "computed_at", "disagreements_open", "last_error"]
    list_select_related = ["plan"]


@admin.register(Rollup)
class RollupAdmin(ReadOnlyPlanAdmin):
    list_display = ["plan", "kind", "year", "category", "unit", "township", "projects", "total_investment",
                    "beijing_funds", "local_funds", "computed_at"]
    list_filter = [plan_filter("plan"), "kind", "year"]
    list_select_related = ["plan", "category", "unit", "township"]


@admin.register(Variance)
class VarianceAdmin(ReadOnlyPlanAdmin):
    list_display = ["plan", "kind", "status", "year", "category", "metric", "stated", "computed", "difference",
                    "source"]
    list_filter = [plan_filter("plan"), "kind", "status", "year"]
    list_select_related = ["plan", "category"]
    search_fields = ["source", "metric"]
