from django import forms
from django.contrib import admin
from django.db.models import Count, Max, Min, Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.models import AnnualBudget
from planportal.lib.money import format_wan
from plans.admin_scoping import PlanScopedAdmin, dependent_filter, plan_filter
from plans.models import Category, PlanYear
from projects.models import ImplementingUnit, Place, Project, UnitAlias
from projects.services import plan_unit_key
from rollups.admin import RecomputesPlanAdmin


class ProjectYearFilter(admin.SimpleListFilter):
    """Projects with a budget in a year; a subquery, so the per-project sums stay whole."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        from plans.models import Plan

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
                from plans.models import Plan

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


class UnitAliasForm(forms.ModelForm):
    """Derives the matching key from the spelling and refuses one that already names a unit."""

    class Meta:
        model = UnitAlias
        fields = ["unit", "spelling"]

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit") or (self.instance.unit if self.instance.unit_id else None)
        spelling = cleaned.get("spelling")
        if unit is None or not spelling:
            return cleaned
        self.instance.key = plan_unit_key(unit.plan, spelling)
        self.instance.plan_id = unit.plan_id
        clash = UnitAlias.objects.filter(plan_id=unit.plan_id, key=self.instance.key).exclude(pk=self.instance.pk)
        other = clash.select_related("unit").first()
        if other is not None:
            self.add_error(
                "spelling",
                gettext("“%(spelling)s” already stands for the unit “%(other)s”.")
                % {"spelling": spelling, "other": other.unit},
            )
        return cleaned


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    form = UnitAliasForm
    extra = 0
    fields = ["spelling", "key"]
    readonly_fields = ["key"]


@admin.register(ImplementingUnit)
class ImplementingUnitAdmin(RecomputesPlanAdmin, PlanScopedAdmin):
    list_display = ["name", "plan", "alias_count", "project_count"]
    list_filter = [plan_filter("plan")]
    search_fields = ["name", "aliases__spelling"]
    list_select_related = ["plan"]
    inlines = [UnitAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(alias_count=Count("aliases", distinct=True), project_count=Count("projects", distinct=True))
        )

    @admin.display(description=_("spellings"), ordering="alias_count")
    def alias_count(self, obj):
        return obj.alias_count

    @admin.display(description=_("projects"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count



@admin.register(UnitAlias)
class UnitAliasAdmin(PlanScopedAdmin):
    list_display = ["spelling", "unit", "key", "plan"]
    list_filter = [plan_filter("plan")]
    search_fields = ["spelling", "key", "unit__name"]
    list_select_related = ["unit", "plan"]
    form = UnitAliasForm
    autocomplete_fields = ["unit"]


@admin.register(Place)
class PlaceAdmin(PlanScopedAdmin):
    list_display = ["name", "kind", "parent", "plan"]
    list_filter = [plan_filter("plan"), "kind"]
    search_fields = ["name"]
    list_select_related = ["parent", "plan"]
    autocomplete_fields = ["parent"]


from projects.models import Comment  # noqa: E402  (the comments of the project pages)


@admin.register(Comment)
class CommentAdmin(PlanScopedAdmin):
    plan_path = "project__plan"
    list_display = ["project", "author", "created_at"]
    list_filter = [plan_filter("project__plan")]
    search_fields = ["body", "project__name"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project"]
    readonly_fields = ["author", "created_at"]
