"""Every figure the plan states about itself, with where it says so.

The annex's 合计 and subtotal rows, chapter 2's yearly and five-year targets,
and figures staff add later. They are compared with what the project rows add
up to; they are never corrected, and a recompute never deletes one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Category, Plan


class StatedFigureQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan=plan)

    def from_annex(self):
        return self.filter(origin=StatedFigure.Origin.ANNEX)


class StatedFigure(models.Model):
    class Origin(models.TextChoices):
        ANNEX = "annex", _("annex table (附表)")
        NARRATIVE = "narrative", _("plan text")
        MANUAL = "manual", _("entered by staff")

    # The metrics every annex row has; narrative targets add their own keys
    # (enterprises_introduced, jobs_created, …).
    PROJECTS = "projects"
    TOTAL_INVESTMENT = "total_investment"
    BEIJING_FUNDS = "beijing_funds"
    LOCAL_FUNDS = "local_funds"
    MONEY_METRICS = (TOTAL_INVESTMENT, BEIJING_FUNDS, LOCAL_FUNDS)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stated_figures", verbose_name=_("plan"))
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, help_text=_("Empty: the whole plan."))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    label = models.CharField(_("label as written"), max_length=200, blank=True)
    metric = models.SlugField(_("metric"), max_length=64)
    value = models.DecimalField(_("stated value"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    qualifier = models.CharField(
        _("qualifier"), max_length=16, blank=True, choices=[("", _("exactly")), ("at_least", _("at least (以上)"))]
    )
    source = models.TextField(_("source"), help_text=_("Where the plan states it: chapter and paragraph, or sheet and row."))
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    # One figure per origin, year, category and metric: re-importing a year's
    # table updates its figures in place (with history) instead of adding copies.
    slot = models.CharField(max_length=200, editable=False)
    import_batch = models.ForeignKey(
        "importers.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="stated_figures"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every write: a save based on an older version is refused (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()
    objects = StatedFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("stated figure")
        verbose_name_plural = _("stated figures")
        ordering = ["plan_id", "origin", "year", "category_id", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slot"], name="statedfigure_slot_unique"),
            models.CheckConstraint(
                condition=Q(origin__in=["annex", "narrative", "manual"]), name="statedfigure_origin_known"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.year}" if self.year else "2021–2025"
        return f"{where} {self.category or ''} {self.metric} = {self.value}".strip()

    @staticmethod
    def slot_for(origin: str, year: int | None, category_id: int | None, metric: str) -> str:
        return f"{origin}|{year or '*'}|{category_id or '*'}|{metric}"

    def assign_slot(self) -> "StatedFigure":
        """Derive the slot from the fields it is made of (services call this before every write)."""
        self.slot = self.slot_for(self.origin, self.year, self.category_id, self.metric)
        return self


class KeyProject(models.Model):
    """A project the plan names as key (重点建设工程和项目) in one of its 专栏 boxes.

    Each should be found in the annex table of its year(s); the reconciliation says when not.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_projects", verbose_name=_("plan"))
    column = models.PositiveSmallIntegerField(_("专栏 number"))
    title = models.CharField(_("专栏 title"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("category"))
    name = models.CharField(_("name as written"), max_length=300)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["plan_id", "column", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "column", "name"], name="keyproject_unique"),
            models.CheckConstraint(condition=Q(first_year__lte=models.F("last_year")), name="keyproject_years"),
        ]

    def __str__(self) -> str:
        return self.name
