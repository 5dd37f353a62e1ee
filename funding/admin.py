"""Budgets in the admin, and projects with their budgets inline (so the project admin lives with the budgets)."""

from django.contrib import admin
from django.db.models import Max, Min, Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from funding.models import AnnualBudget
from funding.resources import AnnualBudgetResource
from planportal.lib.money import format_wan
from plans.admin_scoping import PlanScopedAdmin, dependent_filter, plan_filter, year_filter
from plans.models import Category, Plan, PlanYear
from projects.models import ImplementingUnit, Place, Project
from plans.admin_scoping import RecomputesPlanAdmin


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


class ProjectYearFilter(admin.SimpleListFilter):
    """Projects with a budget in a year; a subquery, so the per-project sums stay whole."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = PlanYear.objects.filter(plan__in=Plan.objects.visible_to(request.user))
        return [(str(y), str(y)) for y in years.values_list("year", flat=True).distinct().order_by("year")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            in_year = AnnualBudget.objects.filter(plan_year__year=int(self.value())).values("project_id")
            return queryset.filter(pk__in=in_year)
        return queryset


class BudgetInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        plan_id = self.instance.plan_id
        for form in self.forms:
            plan_year = form.cleaned_data.get("plan_year") if hasattr(form, "cleaned_data") else None
            if plan_year is not None and plan_id and plan_year.plan_id != plan_id:
                form.add_error("plan_year", gettext("This year belongs to another plan than the project."))


class AnnualBudgetInline(admin.TabularInline):
    model = AnnualBudget
    formset = BudgetInlineFormSet
    extra = 0
    fields = [
        "plan_year",
        "serial_no",
        "nature",
        "total_investment",
        "beijing_funds",
        "local_funds",
        "actual_beijing_funds",
        "actual_local_funds",
        "beijing_funds_use",
        "scale_and_content",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan_year")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan_year":
            # Only the years of the project's own plan.
            object_id = request.resolver_match.kwargs.get("object_id")
            project = Project.objects.filter(pk=object_id).only("plan_id").first() if object_id else None
            if project is not None:
                kwargs["queryset"] = PlanYear.objects.filter(plan_id=project.plan_id).select_related("plan")
            else:
                        kwargs["queryset"] = PlanYear.objects.filter(
                    plan__in=Plan.objects.visible_to(request.user)
                ).select_related("plan")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("beijing_funds_use", "scale_and_content"):
            field.widget.attrs.update(rows=2, cols=30)
        return field


def _money_column(field: str, title):
    @admin.display(description=title, ordering=field)
    def column(self, obj):
        return format_wan(getattr(obj, field))

    return column


@admin.register(Project)
class ProjectAdmin(RecomputesPlanAdmin, PlanScopedAdmin):
    list_display = [
        "name",
        "plan_code",
        "category",
        "unit",
        "township",
        "nature",
        "status",
        "years",
        "total_investment_sum",
        "beijing_funds_sum",
        "local_funds_sum",
    ]
    list_select_related = ["plan", "category", "unit", "township"]
    list_filter = [
        plan_filter("plan"),
        ProjectYearFilter,
        dependent_filter(_("category"), "category", Category, "category", "name_zh"),
        dependent_filter(_("implementing unit"), "unit", ImplementingUnit, "unit"),
        dependent_filter(_("township"), "township", Place, "township", kind=Place.Kind.TOWNSHIP),
        "nature",
        "status",
    ]
    search_fields = ["name", "location_text", "description", "unit__name"]
    autocomplete_fields = ["category", "unit", "township", "village"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AnnualBudgetInline]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["plan", "name", "category", "nature", "status", "unit"]}),
        (_("Location"), {"fields": ["location_text", "township", "village"]}),
        (None, {"fields": ["description", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                first_year=Min("budgets__plan_year__year"),
                last_year=Max("budgets__plan_year__year"),
                total_investment_sum=Sum("budgets__total_investment"),
                beijing_funds_sum=Sum("budgets__beijing_funds"),
                local_funds_sum=Sum("budgets__local_funds"),
            )
        )

    @admin.display(description=_("plan"), ordering="plan__code")
    def plan_code(self, obj):
        return obj.plan.code

    @admin.display(description=_("years"), ordering="first_year")
    def years(self, obj):
        if obj.first_year is None:
            return "—"
        return str(obj.first_year) if obj.first_year == obj.last_year else f"{obj.first_year}–{obj.last_year}"

    total_investment_sum = _money_column("total_investment_sum", _("total investment (万元)"))
    beijing_funds_sum = _money_column("beijing_funds_sum", _("cooperation funds (万元)"))
    local_funds_sum = _money_column("local_funds_sum", _("local funds (万元)"))
