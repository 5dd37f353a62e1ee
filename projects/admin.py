"""Implementing units (with their spellings), places, comments and the banners' village lists in the administration.

Every write goes through projects.services / projects.comments; the project admin,
with its budgets inline, is funding.admin.

A unit's form is based on the version it was opened at, which covers the unit's name and
its spellings: the first write of a save (the rename, or a spelling in the inline) checks
it, the next ones go on from the version the previous one gave.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from plans.access import ADMIN, VIEW
from plans.admin_base import (
    PlanRoleAdmin,
    ReadOnlyInline,
    ServiceInline,
    ServiceRefused,
    VersionedAdminForm,
    call_service,
    refusal_messages,
)
from plans.admin_scoping import plan_filter
from projects.comments import comment_delete
from projects.gazetteer import MAX_BYTES, load_summary
from projects.models import (
    Comment,
    ImplementingUnit,
    ListedVillage,
    Place,
    UnitAlias,
    VillageAlias,
    VillageList,
    VillageListLoad,
)
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
    village_list_apply,
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


# --- the banners' village lists: reference data of the whole site, for superusers ------------------------

class VillageListUploadForm(forms.Form):
    county = forms.CharField(label=gettext_lazy("Banner (county)"), max_length=100,
                             help_text=gettext_lazy("As the plans name it, e.g. 科右中旗."))
    file = forms.FileField(label=gettext_lazy("Village list (CSV)"), help_text=gettext_lazy(
        "Columns township, village, code (the 12-digit statistical code); other columns are ignored. UTF-8, "
        "with or without BOM, or GB18030."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused before it is read
            raise forms.ValidationError(_("The file is %(size)s MB; a village list is at most %(max)s MB. Is it "
                                          "the right file?") % {"size": round(upload.size / 2**20, 1),
                                                               "max": MAX_BYTES // 2**20})
        return upload


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """A banner's list serves every plan of the banner: superusers see it; it changes only by loading a file."""

    @staticmethod
    def _superuser(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VillageListLoadInline(ReadOnlyInline, admin.TabularInline):
    model = VillageListLoad
    extra = 0
    fields = ["loaded_at", "loaded_by", "file_name", "added", "renamed", "moved", "removed", "unchanged"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(VillageList)
class VillageListAdmin(SuperuserReadOnlyAdmin):
    change_list_template = "admin/projects/villagelist/change_list.html"
    list_display = ["county", "village_count", "updated_at"]
    fields = ["county", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [VillageListLoadInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_count=Count("villages", filter=Q(villages__listed=True)))

    @admin.display(description=gettext_lazy("villages listed"), ordering="village_count")
    def village_count(self, obj):
        return obj.village_count

    def get_urls(self):
        return [path("upload/", self.admin_site.admin_view(self.upload_view), name="projects_villagelist_upload"),
                *super().get_urls()]

    def upload_view(self, request):
        if not self._superuser(request):
            raise PermissionDenied
        form = VillageListUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                _list, load, resolved = village_list_apply(county=form.cleaned_data["county"], data=upload.read(),
                                                           file_name=upload.name, user=request.user)
            except ValidationError as refused:
                form.add_error("file", [_("%(file)s was not loaded:") % {"file": upload.name}, *refused.messages])
            else:
                for line in load_summary(load, resolved):
                    self.message_user(request, line, messages.SUCCESS)
                return redirect("admin:projects_villagelist_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Load a village list"), "form": form}
        return TemplateResponse(request, "admin/projects/villagelist/upload.html", context)


@admin.register(ListedVillage)
class ListedVillageAdmin(SuperuserReadOnlyAdmin):
    list_display = ["code", "township", "name", "listed", "village_list"]
    list_filter = ["village_list", "listed", "township"]
    search_fields = ["code", "name", "township", "aliases__spelling"]
    list_select_related = ["village_list"]
    fields = readonly_fields = ["village_list", "code", "township", "name", "listed"]


@admin.register(VillageAlias)
class VillageAliasAdmin(SuperuserReadOnlyAdmin):
    """The spellings matched or decided; they are decided on each plan's page of places to review."""

    list_display = ["spelling", "village", "source", "decided_by", "decided_at", "village_list"]
    list_filter = ["village_list", "source"]
    search_fields = ["spelling", "village__name"]
    list_select_related = ["village", "village_list", "decided_by"]
    fields = readonly_fields = ["village_list", "spelling", "village", "source", "decided_by", "decided_at"]
