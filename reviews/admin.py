"""Review events in the admin: read-only, each member seeing only the events of their own plans."""

from django.contrib import admin

from plans.admin_base import ReadOnlyPlanAdmin
from plans.admin_scoping import plan_filter, year_filter
from reviews.models import PlanEvent, ReviewEvent


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyPlanAdmin):
    plan_path = "plan_year__plan"
    list_display = ["plan_year", "action", "from_status", "to_status", "user_name", "at", "reason"]
    list_filter = [plan_filter("plan_year__plan"), year_filter("plan_year__year"), "action"]
    list_select_related = ["plan_year__plan"]
    search_fields = ["reason", "user_name"]
    date_hierarchy = "at"
    readonly_fields = ["plan_year", "action", "from_status", "to_status", "reason", "user", "user_name", "at",
                       "snapshot"]


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyPlanAdmin):
    list_display = ["plan", "action", "year", "user_name", "at", "reason"]
    list_filter = [plan_filter("plan"), "action"]
    list_select_related = ["plan"]
    search_fields = ["reason", "user_name"]
    readonly_fields = ["plan", "action", "year", "reason", "user", "user_name", "at", "snapshot"]
