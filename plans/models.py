"""A plan (规划), its years and its categories, and who may work on it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans a user may see: all for a superuser, else those they are a member of."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()


class Plan(models.Model):
    class AmountUnit(models.TextChoices):
        WAN_YUAN = "万元", _("10,000 yuan (万元)")

    class Period(models.TextChoices):
        """Where today lies against the plan's years (not stored: it follows the calendar)."""
        NOT_STARTED = "not_started", _("not started yet")
        RUNNING = "running", _("running")
        ENDED = "ended", _("ended")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    county = models.CharField(_("county (banner)"), max_length=100, help_text=_("e.g. 科右中旗"))
    partner = models.CharField(_("partner district"), max_length=100, help_text=_("e.g. 海淀区"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    amount_unit = models.CharField(
        _("amount unit"), max_length=8, choices=AmountUnit.choices, default=AmountUnit.WAN_YUAN
    )
    # The plan this one succeeds (the last five years' plan), set by succession.services.plan_succeed:
    # the importer links a 续建 project to the project it continues there.
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="followed_by",
        verbose_name=_("follows plan"),
    )
    # Set by reviews.closing.plan_close once every year is approved: from then on nothing of the plan
    # changes (plans.access refuses every edit) until a plan administrator reopens one of its years.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(first_year__lte=F("last_year")), name="plan_years_ordered"),
            models.CheckConstraint(
                condition=Q(first_year__gte=1949, last_year__lte=2200), name="plan_years_plausible"
            ),
            models.CheckConstraint(condition=Q(amount_unit="万元"), name="plan_amount_unit_known"),
            models.CheckConstraint(condition=~Q(follows=F("pk")), name="plan_follows_another"),
            models.CheckConstraint(condition=Q(closed_at__isnull=False) | Q(closed_by__isnull=True),
                                   name="plan_closed_by_only_when_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_year}–{self.last_year})"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def period(self, today=None) -> str:
        """Plan.Period of the plan on `today` (the local date by default): a plan of 2021–2025 has ended in 2026."""
        year = (today or timezone.localdate()).year
        if year < self.first_year:
            return self.Period.NOT_STARTED
        return self.Period.ENDED if year > self.last_year else self.Period.RUNNING

    def current_year(self, today=None) -> int:
        """The year a page means by "this year": today's, clipped to the plan's years (an ended plan: its last)."""
        year = (today or timezone.localdate()).year
        return min(max(year, self.first_year), self.last_year)


class PlanYear(models.Model):
    """One year of a plan: what a yearly budget hangs on and a liaison signs off.

    A budget references a PlanYear, so the database itself refuses a budget for
    a year outside its plan's years (there is no PlanYear row to point to).
    An approved year is locked: nobody changes its budgets until it is reopened.
    """

    class Review(models.TextChoices):
        OPEN = "open", _("open for editing")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("returned for revision")
        APPROVED = "approved", _("approved (locked)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_years", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    review_status = models.CharField(_("review status"), max_length=16, choices=Review.choices, default=Review.OPEN)
    review_changed_at = models.DateTimeField(_("review status changed"), null=True, blank=True)
    review_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("review status changed by"),
    )

    @property
    def locked(self) -> bool:
        return self.review_status == self.Review.APPROVED

    class Meta:
        verbose_name = _("plan year")
        verbose_name_plural = _("plan years")
        ordering = ["plan_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="planyear_unique"),
            models.CheckConstraint(condition=Q(review_status__in=["open", "submitted", "returned", "approved"]),
                                   name="planyear_review_known"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.year}"

    def history_label(self) -> str:
        """How a history of changes names the year (planportal.history): no query for the plan."""
        return str(self.year)


class Category(models.Model):
    """A project category (项目类别) of a plan's annex, e.g. 基础设施类."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="categories", verbose_name=_("plan"))
    code = models.SlugField(_("code"), max_length=64)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="category_code_unique"),
            models.UniqueConstraint(fields=["plan", "name_zh"], name="category_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name_zh


class PlanMembership(models.Model):
    """A user's role on one plan. A user sees only the plans they belong to."""

    class Role(models.TextChoices):
        STAFF = "staff", _("county office staff")
        LIAISON = "liaison", _("liaison officer")
        ADMIN = "admin", _("plan administrator")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("plan"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("plan membership")
        verbose_name_plural = _("plan memberships")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=["staff", "liaison", "admin"]), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.plan.code} · {self.get_role_display()}"
