"""The import pages of the administration: upload, preview with errors per row, confirm, watch progress."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from importers.batches import batch_cancel, batch_confirm, batch_create, batch_progress, batch_request_preview
from importers.forms import UploadForm
from importers.models import ImportBatch, ImportBatchFile
from importers.report import stored_messages
from plans.access import ADMIN
from plans.admin_base import ReadOnlyInline, ReadOnlyPlanAdmin
from plans.admin_scoping import plan_filter

RUNNING = {ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWING, ImportBatch.Status.IMPORTING}


class ImportBatchFileInline(ReadOnlyInline, admin.TabularInline):
    model = ImportBatchFile
    extra = 0
    can_delete = False
    readonly_fields = ["original_name", "size", "sha256"]
    fields = readonly_fields


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyPlanAdmin):
    """Batches are listed for every member; the upload, preview and confirm pages are the plan admins'
    (importers.batches checks the role again)."""

    list_display = ["name", "plan", "kind", "status", "uploaded_by", "created_at", "finished_at"]
    list_filter = [plan_filter("plan"), "kind", "status"]
    search_fields = ["name", "files__original_name", "files__sha256"]
    list_select_related = ["plan", "uploaded_by"]
    readonly_fields = ["plan", "name", "kind", "status", "uploaded_by", "created_at", "started_at", "finished_at",
                       "files_removed_at"]
    fields = readonly_fields
    inlines = [ImportBatchFileInline]
    change_form_template = "admin/importers/importbatch/change_form.html"

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="importers_importbatch_upload"),
            path("disbursements/upload/", self.admin_site.admin_view(self.disbursement_upload_view),
                 name="importers_importbatch_upload_disbursements"),
            path("<int:batch_id>/review/", self.admin_site.admin_view(self.review_view),
                 name="importers_importbatch_review"),
            path("<int:batch_id>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="importers_importbatch_progress"),
        ]
        return own + super().get_urls()

    def _batch_for(self, request, batch_id: int) -> ImportBatch:
        """Only batches of plans the user may see; another plan's batch is simply not found."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("plan", "uploaded_by"), pk=batch_id)

    def upload_view(self, request, kind=ImportBatch.Kind.ANNEX):
        if not self.may_somewhere(request, ADMIN):
            raise PermissionDenied
        disbursements = kind == ImportBatch.Kind.DISBURSEMENTS
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if disbursements:
            form.fields["files"].label = _("Disbursement files")
            form.fields["files"].help_text = _(
                "The finance bureau's spreadsheets of payments (.xlsx, .xls, .ods or .csv): project, year, amounts "
                "paid per source, date and voucher number.")
        if request.method == "POST" and form.is_valid():
            uploads = [(f.name, f) for f in form.cleaned_data["files"]]
            batch = batch_create(plan=form.cleaned_data["plan"], uploads=uploads, user=request.user, kind=kind)
            batch_request_preview(batch=batch, user=request.user)
            return redirect("admin:importers_importbatch_review", batch_id=batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import disbursements") if disbursements else _("Import annex spreadsheets"),
            "form": form,
        }
        template = "admin/importers/disbursement_upload.html" if disbursements else \
            "admin/importers/importbatch/upload.html"
        return TemplateResponse(request, template, context)

    def disbursement_upload_view(self, request):
        return self.upload_view(request, kind=ImportBatch.Kind.DISBURSEMENTS)

    def review_view(self, request, batch_id: int):
        batch = self._batch_for(request, batch_id)
        if request.method == "POST":
            if not self.may(request, batch.plan_id, ADMIN):
                raise PermissionDenied
            if "confirm" in request.POST or "confirm_skipping" in request.POST:
                if batch_confirm(batch=batch, user=request.user, skip_locked_years="confirm_skipping" in request.POST):
                    messages.info(request, _("The import has started."))
                else:
                    messages.error(request, _("This import cannot be confirmed in its present state."))
            elif "cancel" in request.POST:
                if batch_cancel(batch=batch, user=request.user):
                    messages.info(request, _("The import was cancelled: nothing was written."))
            return redirect("admin:importers_importbatch_review", batch_id=batch.pk)
        lang = get_language() or "zh-hans"
        data = batch.report or batch.preview or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(name)s") % {"name": batch.name},
            "batch": batch,
            "data": data,
            "errors": [m.as_json(lang) for m in stored_messages(data, "errors")],
            "warnings": [m.as_json(lang) for m in stored_messages(data, "warnings")],
            "running": batch.status in RUNNING,
            "progress": batch_progress(batch.pk),
            "can_confirm": batch.status == ImportBatch.Status.PREVIEWED and batch.files_removed_at is None
            and self.may(request, batch.plan_id, ADMIN),
            "Status": ImportBatch.Status,
        }
        template = "admin/importers/disbursement_review.html" if batch.kind == ImportBatch.Kind.DISBURSEMENTS else \
            "admin/importers/importbatch/review.html"
        return TemplateResponse(request, template, context)

    def progress_view(self, request, batch_id: int):
        batch = self._batch_for(request, batch_id)
        return JsonResponse({"status": batch.status, "label": batch.get_status_display(),
                             **batch_progress(batch.pk)})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "review_url": reverse("admin:importers_importbatch_review", args=[object_id])}
        return super().change_view(request, object_id, form_url, extra_context)

