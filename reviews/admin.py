"""Review events in the admin: read-only, each user seeing only the events of their own plans."""

from django.contrib import admin

from plans.admin_scoping import ReadOnlyPlanScopedAdmin, plan_filter, year_filter
from plans.models import PlanMembership
from reviews.models import ReviewEvent


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyPlanScopedAdmin):
    plan_path = "plan_year__plan"
    list_display = ["plan_year", "action", "from_status", "to_status", "user_name", "at", "reason"]
    list_filter = [plan_filter("plan_year__plan"), year_filter("plan_year__year"), "action"]
    list_select_related = ["plan_year__plan"]
    search_fields = ["reason", "user_name"]
    date_hierarchy = "at"
    readonly_fields = ["plan_year", "action", "from_status", "to_status", "reason", "user", "user_name", "at",
                       "snapshot"]


    # Every role of a plan reads its review history (plans.access: VIEW), scoped by get_queryset.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._is_member(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._is_member(request)

    @staticmethod
    def _is_member(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and PlanMembership.objects.filter(user=user).exists()
