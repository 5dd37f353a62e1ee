"""The plan's quantified commitments and what county staff report against them.

Two kinds of indicator: the ten main indicators of 专栏1 and the five-year
goals stated in chapter 2 (三、发展目标). Each year staff enter a measured value
with its evidence (IndicatorValue, corrections kept as history); where the
project portfolio itself can count an indicator, the count is stored apart
(DerivedValue) so a hand-entered figure and a computed one are never mixed.
"""

from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Plan

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "xlsx", "docx"]


def new_indicator_key() -> str:
    return f"indicator-{uuid4().hex[:12]}"


class IndicatorQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan=plan)

    def main(self):
        return self.filter(kind=Indicator.Kind.MAIN)

    def goals(self):
        return self.filter(kind=Indicator.Kind.GOAL)


class Indicator(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("main indicator (专栏1)")
        GOAL = "goal", _("five-year goal (chapter 2)")

    class Attribute(models.TextChoices):
        BINDING = "binding", _("binding (约束性)")
        EXPECTED = "expected", _("expected (预期性)")

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        EXACTLY = "exactly", _("exactly")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan"))
    kind = models.CharField(_("indicator kind"), max_length=8, choices=Kind.choices, default=Kind.MAIN)
    # Stable across reloads and renames: "main-1" … for 专栏1, the fixture's key for goals;
    # an indicator added by hand gets an opaque key of its own.
    key = models.SlugField(_("key"), max_length=64, default=new_indicator_key)
    seq = models.PositiveSmallIntegerField(_("number in the table"), default=0)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # Not money: a count, a percentage or 万人. DecimalField keeps each value exact;
    # indicator values are never summed over many rows.
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    attribute = models.CharField(_("attribute"), max_length=16, choices=Attribute.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.AT_LEAST)
    source = models.CharField(_("source in the document"), max_length=300, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        # "-kind": main indicators ("main") before chapter-2 goals ("goal"), as the document has them.
        ordering = ["plan_id", "-kind", "seq", "id"]
        constraints = [
            # The document states some figures twice (旅游示范嘎查 is both a 专栏1 row
            # and a chapter-2 goal): a name is unique within its kind only.
            models.UniqueConstraint(fields=["plan", "kind", "name"], name="indicator_name_unique"),
            models.UniqueConstraint(fields=["plan", "key"], name="indicator_key_unique"),
            models.CheckConstraint(condition=Q(attribute__in=["binding", "expected"]), name="indicator_attribute_known"),
            models.CheckConstraint(
                condition=Q(direction__in=["at_least", "at_most", "exactly"]), name="indicator_direction_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=["main", "goal"]), name="indicator_kind_known"),
            models.CheckConstraint(condition=~Q(key=""), name="indicator_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_binding(self) -> bool:
        return self.attribute == self.Attribute.BINDING


class IndicatorValueQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(indicator__plan=plan)


class IndicatorValue(models.Model):
    """The measured value of one indicator in one year, as county staff report it."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    # A plain year, checked against the plan in clean(): shortening a plan must not
    # be blocked by a reported figure, and progress ignores years outside the plan.
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("note"), max_length=200, blank=True)
    evidence_text = models.TextField(_("evidence"), blank=True, help_text=_("Where the figure comes from."))
    evidence_file = models.FileField(
        _("evidence file"), upload_to="indicator-evidence/%Y/", blank=True, max_length=200,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"))
    # Bumped by every write: a save based on an older version is refused (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()
    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicatorvalue_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=1949, year__lte=2200), name="indicatorvalue_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"

    def clean(self):
        if self.indicator_id is None:
            return  # the form reports the missing indicator itself
        plan = self.indicator.plan
        if self.year is not None and self.year not in plan.years:
            raise ValidationError(
                {"year": _("%(year)s is not a year of this plan (%(first)s–%(last)s).")
                 % {"year": self.year, "first": plan.first_year, "last": plan.last_year}}
            )


class DerivedValue(models.Model):
    """What the project portfolio counts for an indicator: per year (cumulative) or, year empty, in all.

    Written only by services.derived_refresh, which replaces a plan's rows at once.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="derived_values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, help_text=_("Empty: the whole plan."))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    rule = models.CharField(_("rule"), max_length=64)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("derived value")
        verbose_name_plural = _("derived values")
        ordering = ["indicator_id", "year"]
        constraints = [
            # NULL years are distinct in SQL, so the whole-plan row needs its own constraint.
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=Q(year__isnull=False), name="derivedvalue_one_per_year"
            ),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(year__isnull=True), name="derivedvalue_one_total"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="derivedvalue_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year or '∑'}: {self.value}"
