"""Projects of a plan, their implementing units and their places."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Category, Plan
from projects.validation import check_project_belongs_to_plan


class ImplementingUnit(models.Model):
    """A 项目实施单位: a bureau or a township government, under one canonical name."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units", verbose_name=_("plan"))
    name = models.CharField(_("canonical name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by every write to the unit or its spellings: a save based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("implementing unit")
        verbose_name_plural = _("implementing units")
        ordering = ["plan_id", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """One spelling of a unit as it appears in a spreadsheet.

    `key` is the normalised spelling (planportal.lib.names.unit_key); it is
    unique per plan, so one spelling can never point at two units.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_aliases", verbose_name=_("plan"))
    unit = models.ForeignKey(ImplementingUnit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("unit"))
    spelling = models.CharField(_("spelling"), max_length=200)
    key = models.CharField(_("matching key"), max_length=200, editable=False)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["unit_id", "spelling"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unitalias_key_unique")]

    def __str__(self) -> str:
        return self.spelling


class Place(models.Model):
    """banner (旗) → township (苏木/镇) → village (嘎查/社区), as recognised from location text."""

    class Kind(models.TextChoices):
        BANNER = "banner", _("banner (旗)")
        TOWNSHIP = "township", _("township (苏木/镇)")
        VILLAGE = "village", _("village (嘎查/社区)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="places", verbose_name=_("plan"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["plan_id", "kind", "name"]
        constraints = [
            # A banner is the top; every township and village sits inside something.
            models.CheckConstraint(
                condition=(Q(kind="banner", parent__isnull=True) | (~Q(kind="banner") & Q(parent__isnull=False))),
                name="place_parent_by_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=["banner", "township", "village"]), name="place_kind_known"),
            models.UniqueConstraint(
                fields=["plan", "kind", "name"], condition=Q(parent__isnull=True), name="place_top_unique"
            ),
            # Two villages of the same name in different townships are different places.
            models.UniqueConstraint(
                fields=["plan", "parent", "kind", "name"], condition=Q(parent__isnull=False), name="place_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(plan=plan)

    def visible_to(self, user):
        return self.filter(plan__in=Plan.objects.visible_to(user))


class Project(models.Model):
    """A project of the plan; its yearly rows are funding.AnnualBudget.

    A 续建 (continued) project spans several years: one Project, one budget per year.
    """

    class Nature(models.TextChoices):
        NEW = "新建", _("new (新建)")
        CONTINUED = "续建", _("continued (续建)")
        EXPANSION = "扩建", _("expansion (扩建)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects", verbose_name=_("plan"))
    name = models.CharField(_("project name"), max_length=300)
    nature = models.CharField(_("nature"), max_length=8, choices=Nature.choices, default=Nature.NEW)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="projects", verbose_name=_("category"))
    unit = models.ForeignKey(
        ImplementingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("implementing unit"),
    )
    location_text = models.TextField(_("location (as written)"), blank=True)
    township = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("township")
    )
    village = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    description = models.TextField(_("description"), blank=True)
    # A 续建 project of a later plan: the project it continues in the plan its plan follows
    # (set by the annex importer; another plan's project, checked in clean()).
    continues = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="continued_by",
        verbose_name=_("continues (earlier plan's project)"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    # Bumped by every write: a save based on an older version is refused (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["plan_id", "id"]
        indexes = [
            models.Index(fields=["plan", "category"], name="project_plan_category"),
            models.Index(fields=["plan", "unit"], name="project_plan_unit"),
            models.Index(fields=["plan", "township"], name="project_plan_township"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nature__in=["新建", "续建", "扩建"]), name="project_nature_known"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "completed", "cancelled"]),
                name="project_status_known",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="project_name_not_empty"),
            models.CheckConstraint(condition=~Q(continues=models.F("pk")), name="project_continues_another"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):

        check_project_belongs_to_plan(self)


class Comment(models.Model):
    """A remark on a project by a member of its plan (liaison, staff or admin). The body is plain text."""

    BODY_MAX_LENGTH = 2000

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments", verbose_name=_("project"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    # A CharField so PostgreSQL itself holds the limit (varchar); shown with a textarea.
    body = models.CharField(_("comment"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["project_id", "created_at", "id"]
        indexes = [models.Index(fields=["project", "created_at"], name="comment_project_created")]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty")]

    def __str__(self) -> str:
        return f"{self.author} · {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.author)
