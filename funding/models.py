"""Yearly budgets of projects: planned and actually disbursed money per source."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.fields import WanYuanField
from plans.models import Plan, PlanYear
from projects.models import Project


class AnnualBudgetQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan_year__plan=plan)

    def in_year(self, year: int):
        return self.filter(plan_year__year=year)

    def visible_to(self, user):
        return self.filter(plan_year__plan__in=Plan.objects.visible_to(user))

    def totals(self) -> dict:
        """Exact sums in 万元 (Decimal), computed by the database over integer yuan."""
        return self.aggregate(
            total_investment=Sum("total_investment"),
            beijing_funds=Sum("beijing_funds"),
            local_funds=Sum("local_funds"),
            actual_beijing_funds=Sum("actual_beijing_funds"),
            actual_local_funds=Sum("actual_local_funds"),
            budgets=models.Count("id"),
        )


class AnnualBudget(models.Model):
    """One project's row in one year's annex table (需求统计表)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("project"))
    # PROTECT: a plan cannot drop a year that still has budgets.
    plan_year = models.ForeignKey(PlanYear, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("year"))
    serial_no = models.CharField(_("annex serial number (序号)"), max_length=20, blank=True)
    nature = models.CharField(
        _("nature stated that year"), max_length=8, choices=Project.Nature.choices, blank=True,
        help_text=_("建设性质 as the annex row of this year states it."),
    )
    scale_and_content = models.TextField(_("scale and content (建设规模和建设内容)"), blank=True)
    beijing_funds_use = models.TextField(_("main use of cooperation funds"), blank=True)

    total_investment = WanYuanField(_("total investment (万元)"), default=0)
    beijing_funds = WanYuanField(_("cooperation funds 京蒙协作资金 (万元)"), default=0)
    local_funds = WanYuanField(_("local funds 地方自筹资金 (万元)"), default=0)
    # Null means "not reported yet", which is not the same as "nothing paid".
    actual_beijing_funds = WanYuanField(_("cooperation funds disbursed (万元)"), null=True, blank=True)
    actual_local_funds = WanYuanField(_("local funds disbursed (万元)"), null=True, blank=True)

    # Bumped by every write: a save based on an older version is refused (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = AnnualBudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual budget")
        verbose_name_plural = _("annual budgets")
        ordering = ["plan_year_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "plan_year"], name="budget_one_per_project_year"),
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="budget_total_nonnegative"),
            models.CheckConstraint(condition=Q(beijing_funds__gte=0), name="budget_beijing_nonnegative"),
            models.CheckConstraint(condition=Q(local_funds__gte=0), name="budget_local_nonnegative"),
            models.CheckConstraint(
                condition=Q(actual_beijing_funds__isnull=True) | Q(actual_beijing_funds__gte=0),
                name="budget_actual_beijing_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(actual_local_funds__isnull=True) | Q(actual_local_funds__gte=0),
                name="budget_actual_local_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(nature__in=["", "新建", "续建", "扩建"]), name="budget_nature_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"

    @property
    def year(self) -> int:
        return self.plan_year.year

    @property
    def funds_sum(self):
        """Cooperation + local funds; the annex's total should equal it (a warning when not)."""
        return self.beijing_funds + self.local_funds

    def clean(self):

        if self.project_id and self.plan_year_id and self.project.plan_id != self.plan_year.plan_id:
            raise ValidationError({"plan_year": _("This year belongs to another plan than the project.")})


class DisbursementQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(budget__plan_year__plan=plan)

    def visible_to(self, user):
        return self.filter(budget__plan_year__plan__in=Plan.objects.visible_to(user))

    def totals_by_budget(self) -> dict:
        """{budget id: (cooperation funds, local funds)} summed exactly by the database over integer yuan."""
        rows = self.order_by().values("budget_id").annotate(beijing=Sum("beijing_amount"), local=Sum("local_amount"))
        return {row["budget_id"]: (row["beijing"], row["local"]) for row in rows}


class Disbursement(models.Model):
    """One payment to a project's yearly budget, as the finance bureau's voucher (凭证) records it.

    A budget's disbursed figures (actual_beijing_funds, actual_local_funds) are the sums of its
    disbursements as soon as it has one; funding.services keeps them so, whichever door a payment
    comes through. A figure entered by hand before the first disbursement is replaced by that sum
    (the history keeps it)."""

    budget = models.ForeignKey(AnnualBudget, on_delete=models.CASCADE, related_name="disbursements",
                               verbose_name=_("annual budget"))
    paid_on = models.DateField(_("paid on (拨付日期)"))
    voucher_no = models.CharField(
        _("voucher number (凭证号)"), max_length=60,
        help_text=_("As the finance bureau numbers it. One voucher may pay several projects, but a project's year "
                    "has each voucher once: importing the same voucher again updates it instead of adding it twice."),
    )
    beijing_amount = WanYuanField(
        _("cooperation funds paid (万元)"), default=0,
        help_text=_("Once a budget has disbursements, its disbursed cooperation and local funds are their sums; a "
                    "disbursed figure entered by hand before is replaced (the history keeps it)."),
    )
    local_amount = WanYuanField(_("local funds paid (万元)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = DisbursementQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["budget_id", "paid_on", "voucher_no", "id"]
        constraints = [
            # Per budget, not per year or plan: a finance bureau's voucher numbers restart every year (often every
            # month), and one voucher may pay several projects at once.
            models.UniqueConstraint(fields=["budget", "voucher_no"], name="disbursement_voucher_once_per_budget"),
            models.CheckConstraint(condition=~Q(voucher_no=""), name="disbursement_voucher_given"),
            models.CheckConstraint(condition=Q(beijing_amount__gte=0), name="disbursement_beijing_nonnegative"),
            models.CheckConstraint(condition=Q(local_amount__gte=0), name="disbursement_local_nonnegative"),
            models.CheckConstraint(condition=Q(beijing_amount__gt=0) | Q(local_amount__gt=0),
                                   name="disbursement_some_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_no} · {self.paid_on}"

    def clean(self):
        if self.beijing_amount is not None and self.local_amount is not None and not (
                self.beijing_amount > 0 or self.local_amount > 0):
            raise ValidationError(_("A disbursement pays something: enter cooperation funds, local funds or both."))
