"""The administration of disbursements: payments corrected one by one (the finance bureau's files come in through
the disbursement import, importers.admin). Every write goes through funding.services, which keeps the budget's
disbursed figures the sums of its payments. Registered from FundingConfig.ready()."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy

from funding.models import Disbursement
from funding.services import disbursement_create, disbursement_delete, disbursement_update
from plans.admin_base import PlanRoleAdmin
from plans.admin_scoping import plan_filter


class DisbursementForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ["budget", "paid_on", "voucher_no", "beijing_amount", "local_amount"]


@admin.register(Disbursement)
class DisbursementAdmin(PlanRoleAdmin):
    plan_path = "budget__plan_year__plan"
    form = DisbursementForm
    list_display = ["voucher_no", "paid_on", "project", "year", "beijing_amount", "local_amount"]
    list_select_related = ["budget__project", "budget__plan_year"]
    list_filter = [plan_filter("budget__plan_year__plan"), "budget__plan_year__year"]
    search_fields = ["voucher_no", "budget__project__name"]
    autocomplete_fields = ["budget"]
    date_hierarchy = "paid_on"
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return ["budget"] if obj is not None else []

    @admin.display(description=gettext_lazy("project"), ordering="budget__project__name")
    def project(self, obj):
        return obj.budget.project

    @admin.display(description=gettext_lazy("year"), ordering="budget__plan_year__year")
    def year(self, obj):
        return obj.budget.plan_year.year

    def service_create(self, request, obj, form):
        data = form.cleaned_data
        return disbursement_create(budget=data["budget"], user=request.user, paid_on=data["paid_on"],
                                   voucher_no=data["voucher_no"], beijing_amount=data["beijing_amount"],
                                   local_amount=data["local_amount"])

    def service_update(self, request, obj, form, changes):
        disbursement_update(disbursement=obj, user=request.user,
                            **{k: v for k, v in changes.items() if k != "budget"})

    def service_delete(self, request, obj):
        disbursement_delete(disbursement=obj, user=request.user)
