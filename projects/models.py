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
    # A village of the banner's official list: its 12-digit code (ListedVillage.code), so a renamed
    # village stays this place. Blank for places recognised from text alone.
    code = models.CharField(_("official code"), max_length=12, blank=True, default="", db_index=True)

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


class VillageList(models.Model):
    """A banner's official township → village list (统计用区划代码), as loaded last (projects.gazetteer).

    One per banner, whatever its plans: every plan of the banner recognises its places with it.
    """

    county = models.CharField(_("county (banner)"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("village list")
        verbose_name_plural = _("village lists")
        ordering = ["county"]
        constraints = [models.CheckConstraint(condition=~Q(county=""), name="villagelist_county_not_empty")]

    def __str__(self) -> str:
        return self.county


class ListedVillage(models.Model):
    """One administrative village (嘎查) of a banner's list. Its code is its identity: a later list that
    renames it or moves it to another township changes this row (its history keeps the old names)."""

    village_list = models.ForeignKey(VillageList, on_delete=models.CASCADE, related_name="villages",
                                     verbose_name=_("village list"))
    code = models.CharField(_("official code"), max_length=12)
    name = models.CharField(_("village"), max_length=100)
    township = models.CharField(_("township"), max_length=100)
    # False once a later list no longer has it (merged or abolished): kept for its history and
    # the places that name it, no longer offered to recognition.
    listed = models.BooleanField(_("in the latest list"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("listed village")
        verbose_name_plural = _("listed villages")
        ordering = ["village_list_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["village_list", "code"], name="listedvillage_code_unique"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="listedvillage_code_12_digits"),
            models.CheckConstraint(condition=~Q(name="") & ~Q(township=""), name="listedvillage_names_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.township}{self.name}"


class VillageListLoad(models.Model):
    """One load of a village list: who loaded which file when, and what it changed."""

    village_list = models.ForeignKey(VillageList, on_delete=models.CASCADE, related_name="loads",
                                     verbose_name=_("village list"))
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("loaded by"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    added = models.PositiveIntegerField(_("added"), default=0)
    renamed = models.PositiveIntegerField(_("renamed"), default=0)
    moved = models.PositiveIntegerField(_("moved to another township"), default=0)
    removed = models.PositiveIntegerField(_("no longer listed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # [{"code", "change": added|renamed|moved|removed|relisted, "old": "township village", "new": …}]
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("village list load")
        verbose_name_plural = _("village list loads")
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.village_list} · {self.file_name}"


class VillageAlias(models.Model):
    """A spelling of a listed village seen in location texts: matched by the spelling rules, or
    decided by a person on the review page. A decision that the spelling is none of the listed
    villages (no village) stops the question from being asked again."""

    class Source(models.TextChoices):
        RULE = "rule", _("spelling rule")
        CONFIRMED = "confirmed", _("confirmed by a person")
        DISMISSED = "dismissed", _("none of the listed villages")

    village_list = models.ForeignKey(VillageList, on_delete=models.CASCADE, related_name="aliases",
                                     verbose_name=_("village list"))
    spelling = models.CharField(_("spelling"), max_length=200)
    village = models.ForeignKey(ListedVillage, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="aliases", verbose_name=_("village"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    class Meta:
        verbose_name = _("village spelling")
        verbose_name_plural = _("village spellings")
        ordering = ["village_list_id", "spelling"]
        constraints = [
            models.UniqueConstraint(fields=["village_list", "spelling"], name="villagealias_spelling_unique"),
            models.CheckConstraint(condition=Q(source__in=["rule", "confirmed", "dismissed"]),
                                   name="villagealias_source_known"),
            # Only a dismissal names no village.
            models.CheckConstraint(condition=Q(source="dismissed", village__isnull=True)
                                   | (~Q(source="dismissed") & Q(village__isnull=False)),
                                   name="villagealias_village_by_source"),
        ]

    def __str__(self) -> str:
        return self.spelling


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

    # Indexed with the id (Meta.indexes): a plan's projects in id order are one range of that index, not a walk
    # of every plan's projects by id, filtered.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects", verbose_name=_("plan"),
                             db_index=False)
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
            models.Index(fields=["plan", "id"], name="project_plan_id"),
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
