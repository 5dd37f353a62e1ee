"""The admin site: Django's, with every model's list checking its field lookups before any query.

A changelist turns query parameters such as `nature__exact=…`, `plan__exact=…` or a
field's list filter (`county=…`) into ORM lookups without looking at the value. A NUL
byte then reaches PostgreSQL, which refuses it; a number beyond a BIGINT reaches
SQLite, which cannot bind it; a word compared with an IP address column reaches
PostgreSQL's inet type, which cannot read it: each a 500 from an address. Every admin
registered on this site (the plans' admins, and the accounts', tokens' and jobs' of
the installed apps) gets `CheckedFieldLookups`, which first reads such values by the
rules of planportal.lib.params and the field's own, and for one that no row can hold
shows the list without that filter and says why. The filters that read their own
parameter (a SimpleListFilter such as plans.admin_scoping.PlanFilter) are left to do so.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from planportal.lib.params import integer, storable

# Lookups whose value is one of the field's values, and those that compare the field with a value of its type
# (in and range: a comma-separated list). Other lookups (contains, isnull, …) take any text without a NUL byte.
_VALUE_LOOKUPS = {"exact", "in"}
_COMPARED_LOOKUPS = {"gt", "gte", "lt", "lte", "range"}
_SHOWN_LENGTH = 40
_NOT_LOOKUPS = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG}  # Django reads these itself


def _compared_field(model, key: str):
    """The field a parameter compares (`plan__exact` → Plan.id, `project__nature` → Project.nature) and the
    lookup ("" after a transform); (None, "") for a parameter that does not start with a field."""
    opts, field, rest = model._meta, None, key.split(LOOKUP_SEP)
    while rest:
        try:
            candidate = opts.get_field(rest[0])
        except FieldDoesNotExist:
            break
        field, rest = candidate, rest[1:]
        if not field.is_relation or field.related_model is None:
            break
        opts = field.related_model._meta
    if field is None:
        return None, ""
    if field.is_relation:
        field = getattr(field, "target_field", field)  # a relation compares the key it points to
    if len(rest) > 1:
        return field, ""  # through a transform (`created__year__gte`): the value is not of the field's type
    return field, rest[0] if rest else "exact"


def _holds(field, lookup: str, value: str) -> bool:
    """Whether some row could match: no NUL byte, and for a lookup that compares the field with the value, a
    value of the field's type (an integer of at most 18 digits, a date, …), for `exact` and `in` one that its
    validators let through (an IP address for an IP address field, whose column PostgreSQL types)."""
    if not storable(value):
        return False
    if not value or lookup not in _VALUE_LOOKUPS | _COMPARED_LOOKUPS:
        return True
    items = value.split(",") if lookup in ("in", "range") else [value]
    try:
        for item in items:
            if isinstance(field, models.IntegerField) and integer(item) is None:
                return False
            read = field.to_python(item)
            if lookup in _VALUE_LOOKUPS:
                field.run_validators(read)
    except Exception:  # as Django's ChangeList: a field's own reading is the only way to know
        return False  # (ValidationError mostly; a time-zone field opens a file named by the value, …)
    return True


def _shown(value: str) -> str:
    value = value.replace("\x00", "\\0")
    return value if len(value) <= _SHOWN_LENGTH else value[:_SHOWN_LENGTH] + "…"


class CheckedFieldLookups:
    """Mixed into every ModelAdmin of the site: a field lookup whose value no row can hold is left out, with a
    message, instead of reaching the database."""

    def unreadable_lookups(self, request) -> dict[str, str]:
        """{parameter: value} of the changelist's field lookups whose value the field cannot hold."""
        own = {f.parameter_name for f in self.get_list_filter(request)
               if isinstance(f, type) and issubclass(f, admin.SimpleListFilter)}
        unreadable = {}
        for key, values in request.GET.lists():
            if key in own or key in _NOT_LOOKUPS:
                continue
            field, lookup = _compared_field(self.model, key)
            bad = [value for value in values if field is not None and not _holds(field, lookup, value)]
            if bad:
                unreadable[key] = bad[0]
        return unreadable

    def changelist_view(self, request, extra_context=None):
        unreadable = self.unreadable_lookups(request)
        if not unreadable:
            return super().changelist_view(request, extra_context)
        for key, value in unreadable.items():
            messages.error(request, _("The filter “%(name)s” was left out: “%(value)s” is not a value of its "
                                      "field.") % {"name": key, "value": _shown(value)})
        kept = request.GET.copy()
        for key in unreadable:
            del kept[key]
        return HttpResponseRedirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)


class PlanPortalAdminSite(admin.AdminSite):
    """admin.site (planportal.apps.PlanPortalAdminConfig makes it the default): every admin checks its lookups."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedFieldLookups):
            admin_class = type(admin_class.__name__, (CheckedFieldLookups, admin_class),
                               {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__})
        super().register(model_or_iterable, admin_class, **options)
