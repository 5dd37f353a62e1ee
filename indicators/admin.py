from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import DerivedValue, Indicator, IndicatorValue
from plans.admin_scoping import PlanScopedAdmin, ReadOnlyPlanScopedAdmin, plan_filter


@admin.register(Indicator)
class IndicatorAdmin(PlanScopedAdmin):
    list_display = ["seq", "name", "kind", "unit", "target", "target_year", "attribute", "direction", "plan"]
    list_display_links = ["name"]
    list_filter = [plan_filter("plan"), "kind", "attribute", "direction"]
    search_fields = ["name", "key", "source"]
    list_select_related = ["plan"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin, PlanScopedAdmin):
    """Corrections are kept: "History" on a value shows who changed what and when."""

    plan_path = "indicator__plan"
    list_display = ["indicator", "year", "value", "entered_by", "entered_at"]
    list_filter = [plan_filter("indicator__plan"), "year", "indicator__kind"]
    search_fields = ["indicator__name", "note", "evidence_text"]
    list_select_related = ["indicator", "entered_by"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        # Who and when follow the last change, as on the indicator page.
        obj.entered_by = request.user
        obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(DerivedValue)
class DerivedValueAdmin(ReadOnlyPlanScopedAdmin):
    """Read only: derived values are recounted from the projects (indicators.services.derived_refresh)."""

    plan_path = "indicator__plan"
    list_display = ["indicator", "year", "value", "rule", "computed_at"]
    list_filter = [plan_filter("indicator__plan"), "rule"]
    list_select_related = ["indicator"]

