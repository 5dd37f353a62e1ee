"""The administration is a door like any page: every permission and every write goes through the domain.

`PlanRoleAdmin` is the base of every plan-owned model's admin:

* Who: the user's role on the object's plan decides view / add / change / delete
  (plans.access, the same helper the pages, the API and the services ask); no
  global group or Django permission grants anything of a plan. Lists show only
  the rows of the user's plans; choice lists offer only the plans (and their
  rows) the user may change.
* Writes: `save_model`, `save_formset` (inlines), `delete_model`, `delete_queryset`
  and the delete action call the app's service functions, which enforce the role,
  the year lock, the version check, validation, history and the recompute request.
* Refusals: a service that refuses (a locked year, a stale version, a validation
  error, a role that may not) rolls the whole save back. The change form is shown
  again with the user's entries and the reason, as the pages do; after a stale
  save it carries the newer version and what the other person changed. A refused
  delete comes back as an error message and deletes nothing.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planportal.concurrency import StaleEdit
from plans.access import EDIT, VIEW, allows, roles_by_plan
from plans.models import Plan


class ServiceRefused(Exception):
    """A service refused an admin write; carries what to tell the user (and a stale edit's newer record)."""

    def __init__(self, error: Exception, *, where: str = "", stale: StaleEdit | None = None, field_of=None):
        super().__init__(str(error))
        self.error = error
        self.where = where
        self.stale = stale
        self.field_of = field_of  # model field → its key in the POST (an inline row's prefix)
        self.conflict = None  # what the other person changed (history), for a stale edit


def refusal_messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, PermissionDenied):
        return [str(error) or _("Your role on this plan does not allow this.")]
    return [str(error)]


def refusal_errors(error: Exception) -> dict[str, list[str]]:
    """A service's ValidationError by field (NON_FIELD_ERRORS for the rest)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict") and not isinstance(error, StaleEdit):
        return {field: list(ValidationError(errors).messages) for field, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: refusal_messages(error)}


def call_service(function, *args, where: str = "", **kwargs):
    """Run a service for the admin; turn its refusal into ServiceRefused (which rolls the save back)."""
    try:
        return function(*args, **kwargs)
    except StaleEdit as stale:
        raise ServiceRefused(stale, where=where, stale=stale) from stale
    except (ValidationError, PermissionDenied) as refused:
        raise ServiceRefused(refused, where=where) from refused


class VersionedAdminForm(forms.ModelForm):
    """An admin form of a record people edit together: it carries the version it was opened at."""

    # Not the model's `version` (never editable): the version this form was opened at.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def version_opened(self) -> int | None:
        """None for a new record; the version the user started from otherwise (an old page without it: 0)."""
        return (self.cleaned_data.get("opened_version") or 0) if self.instance.pk else None


class PlanRoleAdmin(admin.ModelAdmin):
    """A plan-owned model's admin: the role on the object's plan decides, the services write."""

    # The lookup from this model to its Plan, e.g. "plan" or "plan_year__plan".
    plan_path = "plan"
    # What each action needs on the object's plan (plans.access); None: nobody, not even a plan admin.
    view_need = VIEW
    add_need: str | None = EDIT
    change_need: str | None = EDIT
    delete_need: str | None = EDIT

    # --- who ------------------------------------------------------------------
    @staticmethod
    def roles(request) -> dict[int, str]:
        """The user's role on each of their plans, read once per request."""
        if not hasattr(request, "_plan_roles"):
            request._plan_roles = roles_by_plan(request.user)
        return request._plan_roles

    def may(self, request, plan_id, need: str | None) -> bool:
        if need is None or not request.user.is_active:
            return False
        if request.user.is_superuser:
            return True
        return allows(self.roles(request).get(plan_id), need)

    def may_somewhere(self, request, need: str | None) -> bool:
        if need is None or not request.user.is_active:
            return False
        if request.user.is_superuser:
            return True
        # The distinct roles, once per request: the admin asks this for every row and button, and a liaison
        # of a thousand plans would otherwise have each of those questions look at a thousand memberships.
        if not hasattr(request, "_plan_role_set"):
            request._plan_role_set = frozenset(self.roles(request).values())
        return any(allows(role, need) for role in request._plan_role_set)

    def plan_ids_where(self, request, need: str):
        if request.user.is_superuser:
            return None  # every plan
        return [plan_id for plan_id, role in self.roles(request).items() if allows(role, need)]

    def plan_id_of(self, obj) -> int | None:
        if not self.plan_path:  # the Plan admin itself
            return getattr(obj, "pk", None)
        for part in self.plan_path.split("__"):
            if obj is None:
                return None
            obj = getattr(obj, part, None)
        return getattr(obj, "pk", None)

    def _may_on(self, request, obj, need):
        if obj is None:
            return self.may_somewhere(request, need)
        return self.may(request, self.plan_id_of(obj), need)

    def has_module_permission(self, request):
        return self.may_somewhere(request, self.view_need)

    def has_view_permission(self, request, obj=None):
        return self._may_on(request, obj, self.view_need) or self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self.may_somewhere(request, self.add_need)

    def has_change_permission(self, request, obj=None):
        return self._may_on(request, obj, self.change_need)

    def has_delete_permission(self, request, obj=None):
        return self._may_on(request, obj, self.delete_need)

    # --- what is listed and offered ------------------------------------------------
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        plan_ids = self.plan_ids_where(request, VIEW)
        if plan_ids is None:
            return queryset
        return queryset.filter(**{f"{self.plan_path}__in" if self.plan_path else "pk__in": plan_ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the plans the user may change, and only their rows, in every choice list.
        plan_ids = self.plan_ids_where(request, self.change_need or EDIT)
        related = db_field.related_model
        if plan_ids is not None:
            if related is Plan:
                kwargs["queryset"] = Plan.objects.filter(pk__in=plan_ids)
            elif any(f.name == "plan" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(plan__in=plan_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writes: the services --------------------------------------------------------
    def service_create(self, request, obj, form):
        """Create the object through its service; return the created object."""
        raise NotImplementedError

    def service_update(self, request, obj, form, changes: dict):
        """Save `changes` (form field → value) through the service."""
        raise NotImplementedError

    def service_delete(self, request, obj):
        raise NotImplementedError

    def form_changes(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.changed_data
                if name in form.cleaned_data and name != "opened_version"}

    def save_model(self, request, obj, form, change):
        if change:
            call_service(self.service_update, request, obj, form, self.form_changes(form))
            return
        created = call_service(self.service_create, request, obj, form)
        # The admin goes on with `obj` (its messages, log entry and redirect): make it the created row.
        obj.__dict__.update(created.__dict__)
        obj._state.adding = False

    def delete_model(self, request, obj):
        call_service(self.service_delete, request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            call_service(self.service_delete, request, obj, where=str(obj))

    def save_formset(self, request, form, formset, change):
        inline = getattr(formset, "service_inline", None)
        if isinstance(inline, ServiceInline):
            inline.service_save_formset(request, form.instance, formset)
            return
        # A read-only inline (e.g. a plan's years): nothing may come through it.
        if any(f.has_changed() for f in formset.forms):
            raise ServiceRefused(PermissionDenied(_("These rows cannot be changed here.")))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.service_inline = inline
            yield formset, inline

    # --- refusals -------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:  # nothing was saved: show the form again, with the reason
            request._service_refused = refused
            if refused.stale is not None:
                request.POST = self.rebased_post(request, refused)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def rebased_post(self, request, refused: ServiceRefused):
        """After a stale save: the form based on the stored version, the other person's changes taken in
        where the user left a field as it was (the pages do the same)."""
        data = request.POST.copy()
        current = refused.stale.current
        # An inline row's own record is in the row's fields; this admin's record (a unit whose spellings
        # the inline changes) is in the main form's.
        own = isinstance(current, self.model)
        prefix = refused.field_of if refused.field_of and not own else (lambda name: name)
        version_key = prefix("opened_version")
        try:
            opened = int(data.get(version_key) or 0)
        except ValueError:
            opened = 0
        data[version_key] = str(current.version)
        refused.conflict = self.conflict_of(current, opened)
        for change in (refused.conflict.changes if refused.conflict else []):
            key = prefix(change.name)
            if key not in data or change.name == "plan_year":
                continue
            mine = data.get(key, "")
            then = "" if change.then is None else str(change.then)
            if mine.strip() == then or _same_amount(mine, change.then):
                data[key] = "" if change.now is None else str(change.now)
            else:
                change.yours_kept = True
        return data

    def conflict_of(self, current, opened_version: int):
        """What someone else changed since the version the form was opened at (versioned admins say how)."""
        return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "_service_refused", None)
        if refused is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, errors in refusal_errors(refused.error).items():
                    shown = [f"{refused.where}：{e}" if refused.where else e for e in errors]
                    if refused.stale is not None:
                        shown += stale_lines(refused.conflict)
                    self.add_error(field if field in self.fields else None, shown)
                return cleaned

        return RefusedForm

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            for message in refusal_messages(refused.error):
                self.message_user(request, message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                args=[object_id], current_app=self.admin_site.name))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (delete_selected_through_services, "delete_selected",
                                          django_delete_selected.short_description)
        return actions


def stale_lines(conflict) -> list[str]:
    """What the other person changed, one line per field ("京蒙资金：1,000.00 → 1,200.00")."""
    if conflict is None:
        return []
    when = formats.date_format(timezone.localtime(conflict.when), "DATETIME_FORMAT") if conflict.when else "—"
    lines = [_("%(who)s saved this record at %(when)s:") % {"who": conflict.who, "when": when}]
    lines += [f"{change.label}：{change.old} → {change.new}" + ("" if not change.yours_kept else
                                                                   _(" (your entry is kept)"))
              for change in conflict.changes]
    return lines


def _same_amount(text: str, value) -> bool:
    """A posted amount ("1,000.00") and a stored Decimal (1000) say the same."""
    if value is None or not text:
        return False
    try:
        return Decimal(text.replace(",", "").strip()) == Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return False


def delete_selected_through_services(modeladmin, request, queryset):
    """Django's delete action, with each deletion through the service: one refusal and nothing is deleted."""
    try:
        with transaction.atomic():
            return django_delete_selected(modeladmin, request, queryset)
    except ServiceRefused as refused:
        where = f"{refused.where}：" if refused.where else ""
        for message in refusal_messages(refused.error):
            modeladmin.message_user(request, where + message, messages.ERROR)
        return None


delete_selected_through_services.short_description = gettext_lazy("Delete selected %(verbose_name_plural)s")
delete_selected_through_services.allowed_permissions = ("delete",)


class ReadOnlyPlanAdmin(PlanRoleAdmin):
    """Derived or recorded rows (totals, disagreements, review events): listed, never edited by hand."""

    add_need = change_need = delete_need = None


class ServiceInline:
    """An inline whose rows are written by services: subclasses say how (create, update, delete one row).

    Its permissions are those of its parent admin on the parent object's plan.
    """

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def _parent_may(self, request, obj, need):
        return self._parent_admin()._may_on(request, obj, need)

    def has_view_permission(self, request, obj=None):
        parent = self._parent_admin()
        return self._parent_may(request, obj, parent.view_need) or self.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_may(request, obj, self._parent_admin().change_need)

    def has_change_permission(self, request, obj=None):
        return self._parent_may(request, obj, self._parent_admin().change_need)

    def has_delete_permission(self, request, obj=None):
        return self._parent_may(request, obj, self._parent_admin().change_need)

    def service_create_row(self, request, parent, form):
        raise NotImplementedError

    def service_update_row(self, request, parent, form, changes: dict):
        raise NotImplementedError

    def service_delete_row(self, request, parent, obj):
        raise NotImplementedError

    def row_label(self, obj) -> str:
        return str(obj)

    def service_save_formset(self, request, parent, formset) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.initial_forms:
            obj = form.instance
            if formset.can_delete and formset._should_delete_form(form):
                call_service(self.service_delete_row, request, parent, obj, where=self.row_label(obj))
                formset.deleted_objects.append(obj)
            elif form.has_changed():
                changes = {name: form.cleaned_data[name] for name in form.changed_data
                           if name in form.cleaned_data and name not in ("opened_version", "DELETE")}
                try:
                    call_service(self.service_update_row, request, parent, form, changes, where=self.row_label(obj))
                except ServiceRefused as refused:
                    refused.field_of = lambda name, prefix=form.prefix: f"{prefix}-{name}"
                    raise
                formset.changed_objects.append((obj, list(changes)))
        for form in formset.extra_forms:
            if not form.has_changed() or (formset.can_delete and formset._should_delete_form(form)):
                continue
            created = call_service(self.service_create_row, request, parent, form, where=_("new row"))
            formset.new_objects.append(created)


class ReadOnlyInline:
    """An inline that only shows rows (a plan's years): visible to whoever may see the parent."""

    def has_view_permission(self, request, obj=None):
        return self.admin_site._registry[self.parent_model]._may_on(request, obj, VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
