"""Totals of a plan's budgets, kept current, and where they disagree with what the plan states.

Both are derived data: a recompute replaces a plan's rows in one transaction,
so a failed or killed run leaves the previous, consistent set in place.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.fields import WanYuanField
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place


class RecomputeState(models.Model):
    """When a plan's totals were last computed, and whether a recompute is waiting or running."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="recompute_state", primary_key=True)
    # The outbox: set in the same transaction as the change that needs a recompute.
    requested_at = models.DateTimeField(null=True, blank=True)
    # When a recompute task was last handed to the broker (at most one waits per plan).
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # How many of the plan's checks disagree, written by the recompute with them: the portfolio sums
    # these over a thousand plans instead of counting their disagreement rows on every page view.
    disagreements_open = models.PositiveIntegerField(_("open disagreements"), default=0)

    class Meta:
        verbose_name = _("recompute state")
        verbose_name_plural = _("recompute states")

    @property
    def pending(self) -> bool:
        return self.requested_at is not None and (self.computed_at is None or self.requested_at > self.computed_at)


class Rollup(models.Model):
    class Kind(models.TextChoices):
        CATEGORY = "category", _("per category")
        TOTAL = "total", _("whole plan")
        UNIT = "unit", _("per implementing unit")
        TOWNSHIP = "township", _("per township")

    # Derived rows, rewritten wholesale by every recompute from rows that do hold these keys:
    # foreign-key checks in the database would only slow the rewrite (they cost more than
    # the aggregation for a thousand plans). Deletes still cascade, through the ORM.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rollups", db_constraint=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Empty: all years."))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 db_constraint=False)
    unit = models.ForeignKey(ImplementingUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_constraint=False)
    township = models.ForeignKey(Place, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 db_constraint=False)
    projects = models.PositiveIntegerField(_("yearly project rows"))
    total_investment = WanYuanField(_("total investment (万元)"))
    beijing_funds = WanYuanField(_("cooperation funds (万元)"))
    local_funds = WanYuanField(_("local funds (万元)"))
    actual_beijing_funds = WanYuanField(_("cooperation funds disbursed (万元)"))
    actual_local_funds = WanYuanField(_("local funds disbursed (万元)"))
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("total")
        verbose_name_plural = _("totals")
        indexes = [models.Index(fields=["plan", "kind", "year"], name="rollup_plan_kind_year")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["category", "total", "unit", "township"]),
                                   name="rollup_kind_known"),
        ]


class Variance(models.Model):
    """One comparison of a stated figure (or of stated figures among themselves) with what it should equal."""

    class Status(models.TextChoices):
        AGREES = "agrees", _("agrees")
        DIFFERS = "differs", _("differs")
        NOT_COMPUTABLE = "not_computable", _("not computable")

    class Kind(models.TextChoices):
        FIGURE = "figure", _("stated figure against the project rows")
        PARTS = "parts", _("stated total against the stated figures under it")
        YEARS = "years", _("five-year figure against the sum of its years")
        CATEGORY_EMPTY = "category_empty", _("category named in the plan without rows in the annex")
        KEY_PROJECT = "key_project", _("key project not found in the annex")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="variances")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    figure = models.ForeignKey("figures.StatedFigure", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="variances")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    metric = models.CharField(max_length=64)
    stated = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    computed = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    difference = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.TextField()
    details = models.JSONField(default=dict, blank=True)  # what the sentence needs: labels, names, parts
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("disagreement")
        verbose_name_plural = _("disagreements")
        ordering = ["plan_id", "year", "id"]
        indexes = [models.Index(fields=["plan", "status"], name="variance_plan_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["agrees", "differs", "not_computable"]),
                                   name="variance_status_known"),
        ]
