"""Budgets in the administration, and projects with their budgets inline (so the project admin lives here,
with the budgets it shows). Every write goes through projects.services and funding.services: the role, the
year lock, the version check, validation, history and the recompute request are theirs."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Max, Min, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin

from funding.filters import admin_list_filters
from funding.history import conflict_for
from funding.list_figures import GROUPS, ListQuestion, stored_or_live_totals
from funding.models import AnnualBudget
from funding.resources import AnnualBudgetResource
from funding.services import BUDGET_FIELDS, budget_create, budget_delete, budget_update
from planportal.lib.money import format_wan
from plans.access import VIEW
from plans.admin_base import PlanRoleAdmin, ServiceInline, VersionedAdminForm
from plans.admin_scoping import as_id, dependent_filter, plan_filter, year_filter
from plans.models import Category, Plan, PlanYear
from projects.models import ImplementingUnit, Place, Project
from projects.services import PROJECT_FIELDS, project_create, project_delete, project_update

PROJECT_CONFLICT_FIELDS = ("name", "category", "nature", "status", "unit", "location_text", "description")
BUDGET_CONFLICT_FIELDS = ("plan_year", "serial_no", "nature", "total_investment", "beijing_funds", "local_funds",
                          "actual_beijing_funds", "actual_local_funds", "beijing_funds_use", "scale_and_content")


def _money(field: str, title):
    @admin.display(description=title, ordering=field)
    def column(self, obj):
        return format_wan(getattr(obj, field), empty="—")

    return column


def _budget_values(form) -> dict:
    return {name: form.cleaned_data[name] for name in BUDGET_FIELDS if name in form.cleaned_data}


class VersionedRecordAdmin(PlanRoleAdmin):
    """Projects and budgets: a stale save is refused and shown with the other person's changes."""

    def conflict_of(self, current, opened_version):
        fields = PROJECT_CONFLICT_FIELDS if isinstance(current, Project) else BUDGET_CONFLICT_FIELDS
        return conflict_for(current, opened_version, fields)


# The list's GET parameters the stored totals can answer (funding.list_figures): the plan, year and
# category / unit / township filters, the page and the ordering. Any other (a search, the nature or status
# filter, a popup's) means counting the rows themselves.
_FIGURE_PARAMETERS = {"plan", "year", *GROUPS, "p", "o"}


class KnownCountPaginator(Paginator):
    """A paginator told its count, instead of asking the database to count every row."""

    def __init__(self, object_list, per_page, *, known_count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = known_count  # Paginator.count is a cached_property: this is its value


class BudgetForm(VersionedAdminForm):
    class Meta:
        model = AnnualBudget
        fields = ["project", "plan_year", *sorted(BUDGET_FIELDS)]


@admin.register(AnnualBudget)
class AnnualBudgetAdmin(ExportMixin, VersionedRecordAdmin):
    plan_path = "plan_year__plan"
    form = BudgetForm
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
        dependent_filter(gettext_lazy("category"), "category", Category, "project__category", "name_zh"),
        dependent_filter(gettext_lazy("implementing unit"), "unit", ImplementingUnit, "project__unit"),
        dependent_filter(gettext_lazy("township"), "township", Place, "project__township", kind=Place.Kind.TOWNSHIP),
        ("project__nature", admin.ChoicesFieldListFilter),
        ("project__status", admin.ChoicesFieldListFilter),
    ]
    search_fields = ["project__name", "serial_no", "scale_and_content", "beijing_funds_use"]
    autocomplete_fields = ["project", "plan_year"]
    list_per_page = 50
    # "N of M selected" would count every visible row once more.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["project", "plan_year", "serial_no", "nature", "opened_version"]}),
        (gettext_lazy("Planned (万元)"), {"fields": ["total_investment", "beijing_funds", "local_funds"]}),
        (gettext_lazy("Disbursed (万元)"), {"fields": ["actual_beijing_funds", "actual_local_funds"]}),
        (None, {"fields": ["scale_and_content", "beijing_funds_use", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["created_at", "updated_at"] + (["project"] if obj is not None else [])

    @admin.display(description=gettext_lazy("year"), ordering="plan_year__year")
    def year(self, obj):
        return obj.plan_year.year

    @admin.display(description=gettext_lazy("category"), ordering="project__category__order")
    def category(self, obj):
        return obj.project.category

    @admin.display(description=gettext_lazy("implementing unit"), ordering="project__unit__name")
    def unit(self, obj):
        return obj.project.unit or "—"

    total_investment_col = _money("total_investment", gettext_lazy("total investment (万元)"))
    beijing_funds_col = _money("beijing_funds", gettext_lazy("cooperation funds (万元)"))
    local_funds_col = _money("local_funds", gettext_lazy("local funds (万元)"))
    actual_beijing_funds_col = _money("actual_beijing_funds", gettext_lazy("cooperation funds disbursed (万元)"))
    actual_local_funds_col = _money("actual_local_funds", gettext_lazy("local funds disbursed (万元)"))

    def service_create(self, request, obj, form):
        return budget_create(project=form.cleaned_data["project"], year=form.cleaned_data["plan_year"].year,
                             user=request.user, **_budget_values(form))

    def service_update(self, request, obj, form, changes):
        if "plan_year" in changes:
            changes["year"] = changes.pop("plan_year").year
        budget_update(budget=obj, user=request.user, expected_version=form.version_opened(),
                      **{k: v for k, v in changes.items() if k in BUDGET_FIELDS or k == "year"})

    def service_delete(self, request, obj):
        budget_delete(budget=obj, user=request.user)

    def _list_question(self, request) -> ListQuestion | None:
        """What the stored totals would have to answer for this list, or None when they cannot."""
        params = request.GET
        if not set(params) <= _FIGURE_PARAMETERS or any(len(params.getlist(key)) > 1 for key in params):
            return None
        values = {key: as_id(params[key]) for key in params if key not in ("p", "o")}
        groups = [key for key in GROUPS if key in values]
        if None in values.values() or len(groups) > 1:
            return None  # a malformed id (the filters show nothing) or two groups at once: count the rows
        visible = self.plan_ids_where(request, VIEW)
        if "plan" in values:
            plan_ids = (values["plan"],) if visible is None or values["plan"] in visible else ()
        else:
            plan_ids = None if visible is None else Plan.objects.visible_to(request.user).values("pk")
        return ListQuestion(plan_ids=plan_ids, year=values.get("year"),
                            group=(groups[0], values[groups[0]]) if groups else None)

    def list_figures(self, request, queryset) -> dict | None:
        """The filtered rows' count and sums (Decimal 万元), read once per request: from the stored totals, plus
        the rows of any plan whose totals are not current, summed live (None: the totals cannot answer)."""
        if not hasattr(request, "_budget_list_figures"):
            question = self._list_question(request)
            request._budget_list_figures = (stored_or_live_totals(question, queryset) if question is not None
                                            else None)
        return request._budget_list_figures

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The change list's budgets only: a budget's history page pages its log entries with this too.
        figures = self.list_figures(request, queryset) if queryset.model is AnnualBudget else None
        if figures is None:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return KnownCountPaginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
                                   known_count=figures["budgets"])

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            totals = self.list_figures(request, changelist.queryset)
            if totals is None:  # a search or a filter the stored totals do not hold: one aggregate of the rows
                totals = changelist.queryset.order_by().totals()
            response.context_data["budget_totals"] = {
                key: (format_wan(value, empty="0.00") if key != "budgets" else value) for key, value in totals.items()
            }
        return response


class BudgetInlineForm(VersionedAdminForm):
    class Meta:
        model = AnnualBudget
        fields = ["plan_year", *sorted(BUDGET_FIELDS)]


class AnnualBudgetInline(ServiceInline, admin.TabularInline):
    model = AnnualBudget
    form = BudgetInlineForm
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
        "opened_version",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan_year")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan_year":
            # Only the years of the project's own plan.
            object_id = as_id(request.resolver_match.kwargs.get("object_id"))
            project = Project.objects.filter(pk=object_id).only("plan_id").first() if object_id else None
            years = PlanYear.objects.select_related("plan")
            kwargs["queryset"] = (years.filter(plan_id=project.plan_id) if project is not None
                                  else years.filter(plan__in=Plan.objects.visible_to(request.user)))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("beijing_funds_use", "scale_and_content"):
            field.widget.attrs.update(rows=2, cols=30)
        return field

    def row_label(self, obj):
        return _("%(year)s budget") % {"year": obj.plan_year.year}

    def service_create_row(self, request, parent, form):
        return budget_create(project=parent, year=form.cleaned_data["plan_year"].year, user=request.user,
                             **_budget_values(form))

    def service_update_row(self, request, parent, form, changes):
        if "plan_year" in changes:
            changes["year"] = changes.pop("plan_year").year
        budget_update(budget=form.instance, user=request.user, expected_version=form.version_opened(),
                      **{k: v for k, v in changes.items() if k in BUDGET_FIELDS or k == "year"})

    def service_delete_row(self, request, parent, obj):
        budget_delete(budget=obj, user=request.user)


class ProjectForm(VersionedAdminForm):
    class Meta:
        model = Project
        fields = ["plan", *sorted(PROJECT_FIELDS)]


@admin.register(Project)
class ProjectAdmin(VersionedRecordAdmin):
    form = ProjectForm
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
    # The same filters as the project list page and the API (funding.filters.ProjectFilterSet).
    list_filter = [plan_filter("plan"),
                   *admin_list_filters(["year", "category", "unit", "township", "nature", "status"])]
    search_fields = ["name", "location_text", "description", "unit__name"]
    autocomplete_fields = ["category", "unit"]
    inlines = [AnnualBudgetInline]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["plan", "name", "category", "nature", "status", "unit", "opened_version"]}),
        (gettext_lazy("Location"), {"fields": ["location_text", "township", "village"]}),
        (None, {"fields": ["description", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The 苏木/镇 and 嘎查 are recognised from the location text (projects.services).
        return ["township", "village", "created_at", "updated_at"] + (["plan"] if obj is not None else [])

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

    @admin.display(description=gettext_lazy("plan"), ordering="plan__code")
    def plan_code(self, obj):
        return obj.plan.code

    @admin.display(description=gettext_lazy("years"), ordering="first_year")
    def years(self, obj):
        if obj.first_year is None:
            return "—"
        return str(obj.first_year) if obj.first_year == obj.last_year else f"{obj.first_year}–{obj.last_year}"

    total_investment_sum = _money("total_investment_sum", gettext_lazy("total investment (万元)"))
    beijing_funds_sum = _money("beijing_funds_sum", gettext_lazy("cooperation funds (万元)"))
    local_funds_sum = _money("local_funds_sum", gettext_lazy("local funds (万元)"))

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in PROJECT_FIELDS if name in form.cleaned_data}
        return project_create(plan=form.cleaned_data["plan"], user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        project_update(project=obj, user=request.user, expected_version=form.version_opened(),
                       **{k: v for k, v in changes.items() if k in PROJECT_FIELDS})

    def service_delete(self, request, obj):
        project_delete(project=obj, user=request.user)
