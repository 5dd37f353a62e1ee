"""Plans, their years, categories and members in the administration: every write through plans.services.

Superusers create and delete plans; a plan's administrators change it, its
categories and its members (nobody changes their own role); every member reads.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plans.access import ADMIN
from plans.admin_base import PlanRoleAdmin, ReadOnlyInline, ReadOnlyPlanAdmin, ServiceInline
from plans.admin_scoping import plan_filter
from plans.models import Category, Plan, PlanMembership, PlanYear
from plans.services import (
    PLAN_FIELDS,
    category_create,
    category_delete,
    category_update,
    membership_grant,
    membership_remove,
    membership_set,
    plan_create,
    plan_delete,
    plan_update,
)


class PlanYearInline(ReadOnlyInline, admin.TabularInline):
    """Years follow the plan's first and last year; their review happens on the yearly review page."""

    model = PlanYear
    extra = 0
    fields = readonly_fields = ["year", "review_status", "review_changed_at", "review_changed_by"]


class CategoryInline(ServiceInline, admin.TabularInline):
    model = Category
    extra = 0
    fields = ["order", "code", "name_zh", "name_en"]

    def service_create_row(self, request, parent, form):
        data = {name: form.cleaned_data[name] for name in self.fields}
        return category_create(plan=parent, user=request.user, **data)

    def service_update_row(self, request, parent, form, changes):
        return category_update(category=form.instance, user=request.user, **changes)

    def service_delete_row(self, request, parent, obj):
        category_delete(category=obj, user=request.user)


class MembershipForm(forms.ModelForm):
    """A member by user name (no list of every account of the site), with a password for a new account."""

    username = forms.CharField(label=_("user name"), max_length=150)
    password = forms.CharField(label=_("password for a new account"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Only when the user has no account yet."))

    class Meta:
        model = PlanMembership
        fields = ["role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["username"].disabled = True
            self.fields["password"].disabled = True  # an existing account keeps its password


class MembershipInline(ServiceInline, admin.TabularInline):
    model = PlanMembership
    form = MembershipForm
    extra = 0
    fields = ["username", "role", "password"]

    def _parent_may(self, request, obj, need):
        return self._parent_admin()._may_on(request, obj, ADMIN if need != "view" else need)

    def service_create_row(self, request, parent, form):
        membership, _created = membership_grant(plan=parent, username=form.cleaned_data["username"],
                                                role=form.cleaned_data["role"], user=request.user,
                                                password=form.cleaned_data.get("password") or None)
        return membership

    def service_update_row(self, request, parent, form, changes):
        if "role" in changes:
            membership_set(plan=parent, member=form.instance.user, role=changes["role"], user=request.user)

    def service_delete_row(self, request, parent, obj):
        membership_remove(membership=obj, user=request.user)

    def row_label(self, obj):
        return obj.user.get_username()


@admin.register(Plan)
class PlanAdmin(PlanRoleAdmin):
    plan_path = ""
    add_need = delete_need = None  # superusers only (PlanRoleAdmin.may lets a superuser do anything)
    change_need = ADMIN
    list_display = ["code", "name", "county", "partner", "first_year", "last_year", "project_count"]
    search_fields = ["code", "name", "county", "partner"]
    list_filter = ["county", "partner", "first_year"]
    fields = ["code", "name", "county", "partner", "first_year", "last_year", "created_at", "updated_at"]

    def may(self, request, plan_id, need):
        return request.user.is_active and request.user.is_superuser or super().may(request, plan_id, need)

    def may_somewhere(self, request, need):
        return request.user.is_active and request.user.is_superuser or super().may_somewhere(request, need)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=Count("projects"))

    @admin.display(description=pgettext_lazy("count column", "projects"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count

    def get_inlines(self, request, obj):
        # A new plan gets its years and the default categories from plan_create.
        return [] if obj is None else [PlanYearInline, CategoryInline, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # The code names the plan in every URL and export: it is chosen once.
        return ["created_at", "updated_at"] + (["code"] if obj is not None else [])

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in ("code", *PLAN_FIELDS)}
        return plan_create(user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        plan_update(plan=obj, user=request.user, **{k: v for k, v in changes.items() if k in PLAN_FIELDS})

    def service_delete(self, request, obj):
        plan_delete(plan=obj, user=request.user)


@admin.register(PlanYear)
class PlanYearAdmin(ReadOnlyPlanAdmin):
    """Read only: a year's review status changes on the yearly review page (or `review_year`)."""

    list_display = ["plan", "year", "review_status", "review_changed_at", "review_changed_by"]
    list_filter = [plan_filter("plan"), "year", "review_status"]
    search_fields = ["plan__code", "plan__name", "year"]
    list_select_related = ["plan", "review_changed_by"]


@admin.register(Category)
class CategoryAdmin(PlanRoleAdmin):
    add_need = change_need = delete_need = ADMIN
    list_display = ["name_zh", "name_en", "code", "order", "plan"]
    list_filter = [plan_filter("plan")]
    search_fields = ["name_zh", "name_en", "code"]
    list_select_related = ["plan"]
    fields = ["plan", "order", "code", "name_zh", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in ("code", "name_zh", "name_en", "order")}
        return category_create(plan=form.cleaned_data["plan"], user=request.user, **data)

    def service_update(self, request, obj, form, changes):
        category_update(category=obj, user=request.user, **changes)

    def service_delete(self, request, obj):
        category_delete(category=obj, user=request.user)


@admin.register(PlanMembership)
class PlanMembershipAdmin(PlanRoleAdmin):
    """Only a plan's administrators (and superusers) manage its members; nobody changes their own role."""

    add_need = change_need = delete_need = ADMIN
    form = MembershipForm
    list_display = ["user", "plan", "role"]
    list_filter = [plan_filter("plan"), "role"]
    search_fields = ["user__username", "user__email", "plan__code"]
    list_select_related = ["user", "plan"]

    def get_fields(self, request, obj=None):
        return ["plan", "username", "role"] if obj is not None else ["plan", "username", "password", "role"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "plan" in form.base_fields:
            form.base_fields["plan"].queryset = form.base_fields["plan"].queryset.filter(
                pk__in=self.plan_ids_where(request, ADMIN)) if not request.user.is_superuser else Plan.objects.all()
        return form

    def service_create(self, request, obj, form):
        membership, _created = membership_grant(
            plan=form.cleaned_data["plan"], username=form.cleaned_data["username"], role=form.cleaned_data["role"],
            user=request.user, password=form.cleaned_data.get("password") or None)
        return membership

    def service_update(self, request, obj, form, changes):
        if "role" in changes:
            membership_set(plan=obj.plan, member=obj.user, role=changes["role"], user=request.user)

    def service_delete(self, request, obj):
        membership_remove(membership=obj, user=request.user)
