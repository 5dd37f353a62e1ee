"""Stated figures and key projects in the administration: every write through figures.services.

Staff add figures of their own ("entered by staff") and correct the value and wording
of any; which figure it is (origin, year, category, metric) never changes, and a
figure the plan document or an annex states is corrected, never deleted. A correction is
based on the version the form was opened at: a save over someone else's newer one is refused
and the form shown again with their changes.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from figures.models import KeyProject, StatedFigure
from figures.services import (
    FIGURE_CORRECTABLE,
    KEY_PROJECT_FIELDS,
    key_project_create,
    key_project_delete,
    key_project_update,
    stated_figure_create,
    stated_figure_delete,
    stated_figure_update,
)
from planportal.history import conflict_for
from plans.admin_base import PlanRoleAdmin, VersionedAdminForm
from plans.admin_scoping import dependent_filter, plan_filter
from plans.models import Category

IDENTITY = ["plan", "origin", "year", "category", "metric"]
CORRECTABLE_SHOWN = ["value", "unit", "qualifier", "label", "source"]  # FIGURE_CORRECTABLE, in the form's order


@admin.register(StatedFigure)
class StatedFigureAdmin(PlanRoleAdmin):
    form = VersionedAdminForm
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

    def get_fields(self, request, obj=None):
        return [*IDENTITY, *CORRECTABLE_SHOWN, "sheet", "row", "import_batch", "created_by", "updated_at",
                "opened_version"] if obj is not None else [
            "plan", "year", "category", "metric", "value", "unit", "qualifier", "label", "source"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*IDENTITY, "sheet", "row", "import_batch", "created_by", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.origin != StatedFigure.Origin.MANUAL:
            return False
        return super().has_delete_permission(request, obj)

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data.get(name) for name in ("year", "category", "metric", "value", "unit",
                                                              "qualifier", "label", "source")}
        for text in ("unit", "qualifier", "label"):
            data[text] = data[text] or ""
        return stated_figure_create(plan=form.cleaned_data["plan"], user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        stated_figure_update(figure=obj, user=request.user, expected_version=form.version_opened(),
                             **{k: v for k, v in changes.items() if k in FIGURE_CORRECTABLE})

    def conflict_of(self, current, opened_version):
        return conflict_for(current, opened_version, CORRECTABLE_SHOWN)

    def service_delete(self, request, obj):
        stated_figure_delete(figure=obj, user=request.user)


@admin.register(KeyProject)
class KeyProjectAdmin(PlanRoleAdmin):
    list_display = ["name", "column", "title", "first_year", "last_year", "category", "plan"]
    list_filter = [plan_filter("plan"), "column"]
    search_fields = ["name", "title"]
    list_select_related = ["category", "plan"]
    fields = ["plan", "column", "title", "first_year", "last_year", "category", "name", "source"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data.get(name) for name in KEY_PROJECT_FIELDS}
        return key_project_create(plan=form.cleaned_data["plan"], user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        key_project_update(key_project=obj, user=request.user,
                           **{k: v for k, v in changes.items() if k in KEY_PROJECT_FIELDS})

    def service_delete(self, request, obj):
        key_project_delete(key_project=obj, user=request.user)
