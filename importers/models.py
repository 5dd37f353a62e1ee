"""An uploaded annex file and what became of it: preview, import, report."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from planportal.history import import_reason
from plans.models import Plan


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__in=Plan.objects.visible_to(user))


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        PREVIEWING = "previewing", _("checking")
        PREVIEWED = "previewed", _("ready to import")
        REJECTED = "rejected", _("rejected: errors in the file")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Kind(models.TextChoices):
        ANNEX = "annex", _("annex tables")
        DISBURSEMENTS = "disbursements", _("disbursements")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="import_batches", verbose_name=_("plan"))
    # What the files hold: the plan's annex tables (importers.services) or the finance bureau's
    # payments (importers.disbursements).
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ANNEX, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    name = models.CharField(_("file names"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    # DjangoJSONEncoder: reports carry Decimal amounts in their messages.
    preview = models.JSONField(_("preview report"), null=True, blank=True, encoder=DjangoJSONEncoder)
    report = models.JSONField(_("import report"), null=True, blank=True, encoder=DjangoJSONEncoder)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When a preview or import task was last handed to the broker (None: it could not be, or none was
    # asked for), and when an administrator asked for the import: what importers.batches.batches_resume
    # needs to hand over again what a broker outage or a killed worker left waiting.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, editable=False)
    import_requested_at = models.DateTimeField(_("import requested"), null=True, blank=True, editable=False)
    # The administrator chose to import the file without its rows of approved (locked) years.
    skip_locked_years = models.BooleanField(_("skip the locked years"), default=False, editable=False)
    # When the stored copies of the uploaded files were deleted (the batch was rejected, cancelled or
    # a dry run, or its files expired: importers.batches). The file rows keep name, size and hash.
    files_removed_at = models.DateTimeField(_("files deleted"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("annex import")
        verbose_name_plural = _("annex imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["uploaded", "previewing", "previewed", "rejected", "importing", "imported", "failed",
                                "cancelled"]
                ),
                name="importbatch_status_known",
            ),
            models.CheckConstraint(condition=Q(kind__in=["annex", "disbursements"]), name="importbatch_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.plan.code} ({self.get_status_display()})"

    @property
    def change_reason(self) -> str:
        """What every history entry written by this import says: which files, which batch."""
        return import_reason(self.name, self.pk)


class ImportBatchFile(models.Model):
    """One uploaded file of a batch: its name, size and SHA-256 trace every imported value to its file.
    The stored copy (`file`) goes when the batch ends without an import, or after
    settings.PLANPORTAL_UPLOAD_RETENTION_DAYS (importers.batches); `file` is then blank."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files", verbose_name=_("import"))
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["batch_id", "id"]

    def __str__(self) -> str:
        return self.original_name
