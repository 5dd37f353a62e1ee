from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from figures.models import KeyProject, StatedFigure
from plans.admin_scoping import PlanScopedAdmin, dependent_filter, plan_filter
from plans.models import Category
from plans.admin_scoping import RecomputesPlanAdmin


class StatedFigureForm(forms.ModelForm):
    class Meta:
        model = StatedFigure
        fields = ["plan", "origin", "year", "category", "metric", "value", "unit", "qualifier", "label", "source"]

    def clean(self):
        cleaned = super().clean()
        plan, category = cleaned.get("plan"), cleaned.get("category")
        if plan and category and category.plan_id != plan.pk:
            self.add_error("category", _("This category belongs to another plan."))
        if plan and cleaned.get("year") and not plan.first_year <= cleaned["year"] <= plan.last_year:
            self.add_error("year", _("The year is outside the plan's years."))
        if plan and cleaned.get("origin") and cleaned.get("metric"):
            self.instance.plan = plan
            for name in ("origin", "year", "category", "metric"):
                setattr(self.instance, name, cleaned.get(name))
            self.instance.assign_slot()
            clash = StatedFigure.objects.filter(plan=plan, slot=self.instance.slot).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("The plan already states this figure: correct that one instead."))
        return cleaned


@admin.register(StatedFigure)
class StatedFigureAdmin(RecomputesPlanAdmin, PlanScopedAdmin):
    form = StatedFigureForm
    list_display = ["year", "category", "metric", "value", "unit", "origin", "label", "source"]
    list_filter = [
        plan_filter("plan"),
        "origin",
        "year",
        dependent_filter(_("category"), "category", Category, "category", "name_zh"),
        "metric",
    ]
    search_fields = ["label", "source", "metric"]
    list_select_related = ["category", "plan"]
    readonly_fields = ["sheet", "row", "import_batch", "created_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.assign_slot()
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(KeyProject)
class KeyProjectAdmin(RecomputesPlanAdmin, PlanScopedAdmin):
    list_display = ["name", "column", "title", "first_year", "last_year", "category", "plan"]
    list_filter = [plan_filter("plan"), "column"]
    search_fields = ["name", "title"]
    list_select_related = ["category", "plan"]
