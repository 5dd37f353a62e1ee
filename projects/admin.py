from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans.admin_scoping import PlanScopedAdmin, plan_filter
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import plan_unit_key
from plans.admin_scoping import RecomputesPlanAdmin


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
