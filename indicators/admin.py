"""Indicators and their yearly values in the administration: every write through indicators.services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import DerivedValue, Indicator, IndicatorValue
from indicators.overview import value_conflict
from indicators.services import (
    INDICATOR_FIELDS,
    indicator_create,
    indicator_delete,
    indicator_update,
    indicator_value_delete,
    indicator_value_set,
)
from plans.admin_base import PlanRoleAdmin, ReadOnlyPlanAdmin, VersionedAdminForm
from plans.admin_scoping import plan_filter


@admin.register(Indicator)
class IndicatorAdmin(PlanRoleAdmin):
    list_display = ["seq", "name", "kind", "unit", "target", "target_year", "attribute", "direction", "plan"]
    list_display_links = ["name"]
    list_filter = [plan_filter("plan"), "kind", "attribute", "direction"]
    search_fields = ["name", "key", "source"]
    list_select_related = ["plan"]
    fields = ["plan", "kind", "key", "seq", "name", "unit", "target", "target_year", "attribute", "direction",
              "source"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan", "key"] if obj is not None else []

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in INDICATOR_FIELDS if name in form.cleaned_data}
        return indicator_create(plan=form.cleaned_data["plan"], user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        indicator_update(indicator=obj, user=request.user,
                         **{k: v for k, v in changes.items() if k in INDICATOR_FIELDS})

    def service_delete(self, request, obj):
        indicator_delete(indicator=obj, user=request.user)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin, PlanRoleAdmin):
    """Corrections are kept: "History" on a value shows who changed what and when (read only).

    A correction is based on the version the form was opened at: a save over someone else's newer
    one is refused and the form shown again with their changes. Adding never overwrites a year's value.
    """

    plan_path = "indicator__plan"
    form = VersionedAdminForm
    list_display = ["indicator", "year", "value", "entered_by", "entered_at"]
    list_filter = [plan_filter("indicator__plan"), "year", "indicator__kind"]
    search_fields = ["indicator__name", "note", "evidence_text"]
    list_select_related = ["indicator", "entered_by"]
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "year", "value", "note", "evidence_text", "evidence_file", "entered_by", "entered_at",
              "opened_version"]

    def get_readonly_fields(self, request, obj=None):
        # Who and when follow the last change, as on the indicator page; which indicator and year it is stays.
        return ["entered_by", "entered_at"] + (["indicator", "year"] if obj is not None else [])

    def _set(self, request, indicator, year, form, expected_version):
        data = form.cleaned_data
        return indicator_value_set(indicator=indicator, year=year, value=data["value"], user=request.user,
                                   note=data.get("note") or "", evidence_text=data.get("evidence_text") or "",
                                   evidence_file=data.get("evidence_file") or None, expected_version=expected_version)

    def service_create(self, request, obj, form):
        # A new value (0): refused if someone entered the year first (the form's unique check mostly says so).
        return self._set(request, form.cleaned_data["indicator"], form.cleaned_data["year"], form, 0)

    def service_update(self, request, obj, form, changes):
        self._set(request, obj.indicator, obj.year, form, form.version_opened())

    def conflict_of(self, current, opened_version):
        return value_conflict(current, opened_version)

    def service_delete(self, request, obj):
        indicator_value_delete(entry=obj, user=request.user)


@admin.register(DerivedValue)
class DerivedValueAdmin(ReadOnlyPlanAdmin):
    """Read only: derived values are recounted from the projects (indicators.services.derived_refresh)."""

    plan_path = "indicator__plan"
    list_display = ["indicator", "year", "value", "rule", "computed_at"]
    list_filter = [plan_filter("indicator__plan"), "rule"]
    list_select_related = ["indicator"]
