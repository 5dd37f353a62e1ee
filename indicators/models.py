"""The plan's main indicators (专栏1) and their targets.

Yearly measurements and progress come with the indicators work; this is the
part the rest of the model needs from day one.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


class Indicator(models.Model):
    class Attribute(models.TextChoices):
        BINDING = "binding", _("binding (约束性)")
        EXPECTED = "expected", _("expected (预期性)")

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        EXACTLY = "exactly", _("exactly")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan"))
    seq = models.PositiveSmallIntegerField(_("number in the table"), default=0)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # Not money: a count, a percentage or 万人. DecimalField keeps each value exact;
    # indicator values are never summed over many rows.
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    attribute = models.CharField(_("attribute"), max_length=16, choices=Attribute.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.AT_LEAST)
    source = models.CharField(_("source in the document"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan_id", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="indicator_name_unique"),
            models.CheckConstraint(condition=Q(attribute__in=["binding", "expected"]), name="indicator_attribute_known"),
            models.CheckConstraint(
                condition=Q(direction__in=["at_least", "at_most", "exactly"]), name="indicator_direction_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name
