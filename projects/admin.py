"""Implementing units (with their spellings), places and comments in the administration.

Every write goes through projects.services / projects.comments; the project admin,
with its budgets inline, is funding.admin.

A unit's form is based on the version it was opened at, which covers the unit's name and
its spellings: the first write of a save (the rename, or a spelling in the inline) checks
it, the next ones go on from the version the previous one gave.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from plans.access import ADMIN, VIEW
from plans.admin_base import (
    PlanRoleAdmin,
    ServiceInline,
    ServiceRefused,
    VersionedAdminForm,
    call_service,
    refusal_messages,
)
from plans.admin_scoping import plan_filter
from projects.comments import comment_delete
from projects.models import Comment, ImplementingUnit, Place, UnitAlias
from projects.services import (
    alias_delete,
    alias_update,
    place_create,
    place_delete,
    place_update,
    unit_add_alias,
    unit_create,
    unit_delete,
    unit_merge,
    unit_update,
)


def _save_based_on(unit) -> int | None:
    """The unit's version the next write of this admin save is based on (ImplementingUnitAdmin.service_update)."""
    return getattr(unit, "_save_based_on", None)


def _saved_at(unit, version: int) -> None:
    unit._save_based_on = version


class UnitAliasInline(ServiceInline, admin.TabularInline):
    """A unit's spellings; the matching key is derived by the one unit-spelling rule."""

    model = UnitAlias
    extra = 0
    fields = ["spelling", "key"]
    readonly_fields = ["key"]

    def service_create_row(self, request, parent, form):
        alias = unit_add_alias(unit=parent, spelling=form.cleaned_data["spelling"], user=request.user,
                               expected_version=_save_based_on(parent))
        _saved_at(parent, alias.unit.version)
        return alias

    def service_update_row(self, request, parent, form, changes):
        if "spelling" in changes:
            alias = alias_update(alias=form.instance, spelling=changes["spelling"], user=request.user,
                                 expected_version=_save_based_on(parent))
            _saved_at(parent, alias.unit.version)

    def service_delete_row(self, request, parent, obj):
        _saved_at(parent, alias_delete(alias=obj, user=request.user, expected_version=_save_based_on(parent)).version)


@admin.action(description=gettext_lazy("Merge the selected units into the one with the most projects"))
def merge_units(modeladmin, request, queryset):
    units = sorted(queryset.annotate(n=Count("projects")), key=lambda unit: (-unit.n, unit.pk))
    if len({unit.plan_id for unit in units}) != 1 or len(units) < 2:
        modeladmin.message_user(request, _("Choose two or more units of one plan."), messages.ERROR)
        return
    keep, *others = units
    try:
        for other in others:
            call_service(unit_merge, keep=keep, merge=other, user=request.user, where=other.name)
    except ServiceRefused as refused:
        for message in refusal_messages(refused.error):
            modeladmin.message_user(request, f"{refused.where}：{message}", messages.ERROR)
        return
    modeladmin.message_user(request, _("%(count)s units were merged into “%(unit)s”.")
                            % {"count": len(others), "unit": keep.name}, messages.SUCCESS)


@admin.register(ImplementingUnit)
class ImplementingUnitAdmin(PlanRoleAdmin):
    form = VersionedAdminForm
    list_display = ["name", "plan", "alias_count", "project_count"]
    list_filter = [plan_filter("plan")]
    search_fields = ["name", "aliases__spelling"]
    list_select_related = ["plan"]
    inlines = [UnitAliasInline]
    actions = [merge_units]
    fields = ["plan", "name", "opened_version"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(alias_count=Count("aliases", distinct=True), project_count=Count("projects", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []

    @admin.display(description=gettext_lazy("spellings"), ordering="alias_count")
    def alias_count(self, obj):
        return obj.alias_count

    @admin.display(description=pgettext_lazy("count column", "projects"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count

    def service_create(self, request, obj, form):
        return unit_create(plan=form.cleaned_data["plan"], name=form.cleaned_data["name"], user=request.user)

    def service_update(self, request, obj, form, changes):
        _saved_at(obj, form.version_opened())  # the inline's spellings are saved after this
        if "name" in changes:
            unit = unit_update(unit=obj, name=changes["name"], user=request.user,
                               expected_version=form.version_opened())
            _saved_at(obj, unit.version)

    def conflict_of(self, current, opened_version):
        return None  # a unit has no history to tell what changed: the refusal says someone saved first

    def service_delete(self, request, obj):
        unit_delete(unit=obj, user=request.user)


@admin.register(UnitAlias)
class UnitAliasAdmin(PlanRoleAdmin):
    list_display = ["spelling", "unit", "key", "plan"]
    list_filter = [plan_filter("plan")]
    search_fields = ["spelling", "key", "unit__name"]
    list_select_related = ["unit", "plan"]
    autocomplete_fields = ["unit"]
    fields = ["unit", "spelling", "key"]

    def get_readonly_fields(self, request, obj=None):
        return ["key", "unit"] if obj is not None else ["key"]

    def service_create(self, request, obj, form):
        return unit_add_alias(unit=form.cleaned_data["unit"], spelling=form.cleaned_data["spelling"],
                              user=request.user)

    def service_update(self, request, obj, form, changes):
        if "spelling" in changes:
            alias_update(alias=obj, spelling=changes["spelling"], user=request.user)

    def service_delete(self, request, obj):
        alias_delete(alias=obj, user=request.user)


@admin.register(Place)
class PlaceAdmin(PlanRoleAdmin):
    list_display = ["name", "kind", "parent", "plan"]
    list_filter = [plan_filter("plan"), "kind"]
    search_fields = ["name"]
    list_select_related = ["parent", "plan"]
    autocomplete_fields = ["parent"]
    fields = ["plan", "kind", "name", "parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []

    def service_create(self, request, obj, form):
        data = form.cleaned_data
        return place_create(plan=data["plan"], kind=data["kind"], name=data["name"], parent=data.get("parent"),
                            user=request.user)

    def service_update(self, request, obj, form, changes):
        place_update(place=obj, user=request.user, **{k: v for k, v in changes.items() if k in ("kind", "name",
                                                                                              "parent")})

    def service_delete(self, request, obj):
        place_delete(place=obj, user=request.user)


@admin.register(Comment)
class CommentAdmin(PlanRoleAdmin):
    """Comments are written on the project pages; here they are read, and removed by their author or a plan admin."""

    plan_path = "project__plan"
    add_need = change_need = None
    list_display = ["project", "author", "created_at"]
    list_filter = [plan_filter("project__plan")]
    search_fields = ["body", "project__name"]
    list_select_related = ["project", "author"]
    fields = readonly_fields = ["project", "author", "created_at", "body"]

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self.may_somewhere(request, VIEW)
        own = obj.author_id is not None and obj.author_id == request.user.pk
        plan_id = self.plan_id_of(obj)
        return self.may(request, plan_id, ADMIN) or (own and self.may(request, plan_id, VIEW))

    def service_delete(self, request, obj):
        comment_delete(comment=obj, user=request.user)
