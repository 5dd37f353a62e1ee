"""The yearly review of a plan: every submit, approval, return and reopening, with what the year added up to."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planportal.lib.money import format_wan
from plans.models import PlanYear


class ReviewEventQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan_year__plan=plan)

    def for_year(self, plan_year):
        return self.filter(plan_year=plan_year)

    def reviews(self):
        """The events a "what changed since the last review" counts from (a reopening is not a review)."""
        return self.filter(action__in=[ReviewEvent.Action.SUBMIT, ReviewEvent.Action.APPROVE,
                                       ReviewEvent.Action.RETURN])


class ReviewEvent(models.Model):
    """One step of a year's review, kept forever: who, when, why, and the year's totals at that moment.

    `snapshot` holds what the reviewer saw: {"projects": 12, "total_investment": "1500.00",
    "beijing_funds": "800.00", "local_funds": "700.00", "actual_beijing_funds": null,
    "actual_local_funds": null, "open_disagreements": 3, "digest": "3f9a…"} (amounts in 万元 as
    exact decimal strings, null when no disbursement is reported; `digest`: the check code of those
    figures, reviews.queries). Events before the check code existed have no digest nor disbursements.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted for review")
        APPROVE = "approve", _("approved")
        RETURN = "return", _("returned for revision")
        REOPEN = "reopen", _("reopened")

    plan_year = models.ForeignKey(PlanYear, on_delete=models.CASCADE, related_name="review_events",
                                  verbose_name=_("year"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("status before"), max_length=16, choices=PlanYear.Review.choices)
    to_status = models.CharField(_("status after"), max_length=16, choices=PlanYear.Review.choices)
    reason = models.TextField(_("reason or note"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    # Kept even if the account is later deleted: the history must still say who signed off.
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    snapshot = models.JSONField(_("totals at that moment"), default=dict, blank=True)

    objects = ReviewEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["plan_year_id", "at", "id"]
        indexes = [models.Index(fields=["plan_year", "at"], name="reviewevent_year_at")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["submit", "approve", "return", "reopen"]),
                                   name="reviewevent_action_known"),
            models.CheckConstraint(condition=Q(action__in=["submit", "approve"]) | ~Q(reason=""),
                                   name="reviewevent_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_year} · {self.get_action_display()} · {self.user_name}"

    @property
    def snapshot_display(self) -> dict:
        """The snapshot with amounts formatted as on every other page (1,234.50)."""
        shown = dict(self.snapshot or {})
        for key in ("total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds"):
            if shown.get(key) not in (None, ""):
                shown[key] = format_wan(Decimal(shown[key]))
        return shown


class PlanEvent(models.Model):
    """A plan closed once every year was approved, or opened again by the reopening of one of its years.

    Kept forever like a ReviewEvent: who, when, why, and the plan's totals then (`snapshot`: the years'
    snapshots and the check code of them all, reviews.queries.plan_figures).
    """

    class Action(models.TextChoices):
        CLOSE = "close", _("plan closed")
        REOPEN = "reopen", _("plan reopened")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="closure_events",
                             verbose_name=_("plan"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    year = models.PositiveSmallIntegerField(_("year reopened"), null=True, blank=True)
    reason = models.TextField(_("reason or note"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    snapshot = models.JSONField(_("totals at that moment"), default=dict, blank=True)

    class Meta:
        verbose_name = _("plan closure event")
        verbose_name_plural = _("plan closure events")
        ordering = ["plan_id", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["close", "reopen"]), name="planevent_action_known"),
            # Reopening names the year reopened and says why.
            models.CheckConstraint(condition=Q(action="close") | (Q(year__isnull=False) & ~Q(reason="")),
                                   name="planevent_reopen_explained"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.get_action_display()} · {self.user_name}"
