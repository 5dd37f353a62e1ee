"""The Plan admin's "Create the next plan" action: a form for the new plan, then succession.services.plan_succeed.

plans.admin (a lower floor) cannot import the succession, so this app registers
the Plan admin again as a subclass with the action added.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.admin import PlanAdmin
from plans.admin_base import refusal_errors
from plans.models import Plan
from succession.services import TARGET_TO_FILL, plan_succeed


class NextPlanForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    first_year = forms.IntegerField(label=gettext_lazy("first year"), min_value=1949, max_value=2200)
    last_year = forms.IntegerField(label=gettext_lazy("last year"), min_value=1949, max_value=2200)
    with_members = forms.BooleanField(label=gettext_lazy("give the members the same roles on the new plan"),
                                      required=False)

    @classmethod
    def initial_for(cls, source: Plan) -> dict:
        length = source.last_year - source.first_year
        first = source.last_year + 1
        return {"first_year": first, "last_year": first + length, "name": source.name,
                "code": f"{source.code}-next"[:64]}


@admin.action(description=gettext_lazy("Create the next plan from the selected plan"), permissions=["add"])
def create_next_plan(modeladmin, request, queryset):
    """Copy one plan's categories, units, places and indicators into a new plan (the form comes first)."""
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Select exactly one plan to create the next plan from."), messages.WARNING)
        return None
    source = queryset.get()
    form = NextPlanForm(request.POST if "apply" in request.POST else None, initial=NextPlanForm.initial_for(source))
    if form.is_valid():
        try:
            made = plan_succeed(user=request.user, source=source, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in refusal_errors(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            modeladmin.message_user(request, _(
                "Created “%(plan)s” following “%(source)s”: %(units)s implementing units, %(places)s places, "
                "%(indicators)s indicators, whose targets are the last plan's until you enter the new ones "
                "(their source says “%(mark)s”).") % {
                "plan": made.plan, "source": source, "units": made.units, "places": made.places,
                "indicators": made.indicators, "mark": TARGET_TO_FILL}, messages.SUCCESS)
            return redirect(reverse("admin:plans_plan_change", args=[made.plan.pk]))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Create the next plan from “%(plan)s”") % {"plan": source},
        "source": source,
        "form": form,
        "action_name": "create_next_plan",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/succession/next_plan.html", context)


class SucceedingPlanAdmin(PlanAdmin):
    actions = [create_next_plan]


admin.site.unregister(Plan)
admin.site.register(Plan, SucceedingPlanAdmin)
