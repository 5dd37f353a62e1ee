from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from importers.batches import upload_refusal
from plans.access import ADMIN, plans_where
from plans.models import Plan

ALLOWED_SUFFIXES = {".xlsx", ".xls", ".ods", ".csv"}
MAX_FILES = 10  # the size limit is settings.PLANPORTAL_MAX_UPLOAD_BYTES (importers.batches.upload_refusal)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED_SUFFIXES))}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, (list, tuple)) else [data]
        return [single(item, initial) for item in files if item] or [single(None, initial)]


class UploadForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("Plan"))
    files = MultipleFileField(
        label=_("Annex files"),
        help_text=_("One or more .xlsx, .xls, .ods or .csv files; a workbook may have one sheet per year."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        plans = plans_where(user, ADMIN)  # importing is the plan administrators'
        self.fields["plan"].queryset = plans
        # One plan to choose from: it is the choice, with no empty "---------" line before it.
        only = list(plans.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            self.fields["plan"].empty_label = None
            self.fields["plan"].initial = only[0]

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Upload at most %(n)s files at once.") % {"n": MAX_FILES})
        for upload in files:
            if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
                raise ValidationError(
                    _("“%(name)s” is not a spreadsheet: upload .xlsx, .xls, .ods or .csv files.") % {"name": upload.name}
                )
            refusal = upload_refusal(upload.name, upload.size)
            if refusal is not None:
                raise ValidationError(refusal.text(get_language() or "zh-hans"))
        return files
