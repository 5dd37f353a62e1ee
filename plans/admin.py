from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from plans.admin_scoping import PlanScopedAdmin, plan_filter
from plans.models import Category, Plan, PlanMembership, PlanYear
from plans.services import plan_create, plan_update
from plans.admin_scoping import RecomputesPlanAdmin


class PlanYearInline(admin.TabularInline):
    model = PlanYear
    extra = 0
    can_delete = False
    readonly_fields = ["year"]
    fields = ["year"]

    def has_add_permission(self, request, obj=None):
        return False  # years follow the plan's first and last year


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["order", "code", "name_zh", "name_en"]


class MembershipInline(admin.TabularInline):
    model = PlanMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Plan)
class PlanAdmin(PlanScopedAdmin):
    plan_path = "pk"
    list_display = ["code", "name", "county", "partner", "first_year", "last_year", "project_count"]
    search_fields = ["code", "name", "county", "partner"]
    list_filter = ["county", "partner", "first_year"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=Count("projects"))

    @admin.display(description=_("projects"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count

    def get_inlines(self, request, obj):
        # A new plan gets its years and the default categories from plan_create.
        return [] if obj is None else [PlanYearInline, CategoryInline, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("first_year", "last_year")}
        if not change:
            created = plan_create(
                user=request.user, code=obj.code, name=obj.name, county=obj.county, partner=obj.partner, **data
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        plan_update(plan=obj, user=request.user, **{f: form.cleaned_data[f] for f in form.changed_data
                                                     if f in ("name", "county", "partner", "first_year", "last_year")})


@admin.register(PlanYear)
class PlanYearAdmin(PlanScopedAdmin):
    list_display = ["plan", "year"]
    list_filter = [plan_filter("plan"), "year"]
    search_fields = ["plan__code", "plan__name", "year"]
    list_select_related = ["plan"]

    def has_add_permission(self, request):
        return False  # created from the plan's years

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(RecomputesPlanAdmin, PlanScopedAdmin):
    list_display = ["name_zh", "name_en", "code", "order", "plan"]
    list_filter = [plan_filter("plan")]
    search_fields = ["name_zh", "name_en", "code"]
    list_select_related = ["plan"]


@admin.register(PlanMembership)
class PlanMembershipAdmin(PlanScopedAdmin):
    list_display = ["user", "plan", "role"]
    list_filter = [plan_filter("plan"), "role"]
    search_fields = ["user__username", "user__email", "plan__code"]
    list_select_related = ["user", "plan"]
    autocomplete_fields = ["user"]
