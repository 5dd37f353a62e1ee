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
