from django.contrib import admin

from indicators.models import Indicator
from plans.admin_scoping import PlanScopedAdmin, plan_filter


@admin.register(Indicator)
class IndicatorAdmin(PlanScopedAdmin):
    list_display = ["seq", "name", "unit", "target", "target_year", "attribute", "direction", "plan"]
    list_display_links = ["name"]
    list_filter = [plan_filter("plan"), "attribute", "direction"]
    search_fields = ["name", "source"]
    list_select_related = ["plan"]
