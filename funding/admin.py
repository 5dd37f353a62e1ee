from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from funding.models import AnnualBudget
from funding.resources import AnnualBudgetResource
from planportal.lib.money import format_wan
from plans.admin_scoping import PlanScopedAdmin, dependent_filter, plan_filter, year_filter
from plans.models import Category
from projects.models import ImplementingUnit, Place
from rollups.admin import RecomputesPlanAdmin


def _money(field: str, title):
    @admin.display(description=title, ordering=field)
    def column(self, obj):
        return format_wan(getattr(obj, field), empty="—")

    return column


@admin.register(AnnualBudget)
class AnnualBudgetAdmin(ExportMixin, RecomputesPlanAdmin, PlanScopedAdmin):
    plan_path = "plan_year__plan"
    resource_classes = [AnnualBudgetResource]
    change_list_template = "admin/funding/annualbudget/change_list.html"
    list_display = [
        "project",
        "year",
        "category",
        "unit",
        "total_investment_col",
        "beijing_funds_col",
        "local_funds_col",
        "actual_beijing_funds_col",
        "actual_local_funds_col",
    ]
    list_select_related = ["project__category", "project__unit", "plan_year"]
    list_filter = [
        plan_filter("plan_year__plan"),
        year_filter("plan_year__year"),
        dependent_filter(_("category"), "category", Category, "project__category", "name_zh"),
        dependent_filter(_("implementing unit"), "unit", ImplementingUnit, "project__unit"),
        dependent_filter(_("township"), "township", Place, "project__township", kind=Place.Kind.TOWNSHIP),
        ("project__nature", admin.ChoicesFieldListFilter),
        ("project__status", admin.ChoicesFieldListFilter),
    ]
    search_fields = ["project__name", "serial_no", "scale_and_content", "beijing_funds_use"]
    autocomplete_fields = ["project", "plan_year"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50

    @admin.display(description=_("year"), ordering="plan_year__year")
    def year(self, obj):
        return obj.plan_year.year

    @admin.display(description=_("category"), ordering="project__category__order")
    def category(self, obj):
        return obj.project.category

    @admin.display(description=_("implementing unit"), ordering="project__unit__name")
    def unit(self, obj):
        return obj.project.unit or "—"

    total_investment_col = _money("total_investment", _("total investment (万元)"))
    beijing_funds_col = _money("beijing_funds", _("cooperation funds (万元)"))
    local_funds_col = _money("local_funds", _("local funds (万元)"))
    actual_beijing_funds_col = _money("actual_beijing_funds", _("cooperation funds disbursed (万元)"))
    actual_local_funds_col = _money("actual_local_funds", _("local funds disbursed (万元)"))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # One aggregate query over the filtered rows, exact in integer yuan.
            totals = changelist.queryset.order_by().totals()
            response.context_data["budget_totals"] = {
                key: (format_wan(value, empty="0.00") if key != "budgets" else value) for key, value in totals.items()
            }
        return response
