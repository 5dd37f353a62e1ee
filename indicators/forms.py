"""The form county staff use to enter or correct a year's value with its evidence.

It carries the version of the year's value it was opened at (planportal.forms.VersionedForm),
so a save over someone else's newer save is refused and shown as a conflict.
"""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import EVIDENCE_EXTENSIONS, IndicatorValue
from planportal.forms import TypedNumberInput, VersionedForm

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# The first bytes of each accepted type: a renamed .exe is refused even with a .pdf name.
# xlsx and docx are ZIP containers.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
}


class IndicatorValueForm(VersionedForm):
    # The version of the value of `opened_year` the form was opened at; empty: that year had none.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    opened_year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label=_("Year"))
    # A text box, not type=number: the browser would otherwise drop "1,5" silently instead of saying why.
    value = TypedNumberInput(
        label=_("Value"),
        max_digits=IndicatorValue._meta.get_field("value").max_digits,
        decimal_places=IndicatorValue._meta.get_field("value").decimal_places,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    evidence_text = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the figure comes from: a report, a statistics table, a document number."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"), required=False,
        help_text=_("PDF, JPG, PNG, XLSX or DOCX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in EVIDENCE_EXTENSIONS)}),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_kwargs = {"plan": plan}
        self.plan = plan
        self.fields["year"].widget = forms.Select(choices=[(year, year) for year in plan.years])

    @classmethod
    def initial_for(cls, year: int, current: IndicatorValue | None) -> dict:
        """The form for `year`, prefilled with its current value (so a correction starts from what is there)."""
        if current is None:
            return {"year": year, "opened_year": year}
        return {"year": current.year, "opened_year": current.year, "version": current.version,
                "value": current.value, "note": current.note, "evidence_text": current.evidence_text}

    def expected_version(self) -> int:
        """The version of the posted year's value the user started from; 0: they have seen none of that year
        (a new value, or another year chosen than the form was opened at)."""
        if self.cleaned_data.get("opened_year") != self.cleaned_data.get("year"):
            return 0
        return self.cleaned_data.get("version") or 0

    def based_on(self, data, version: int) -> None:
        super().based_on(data, version)
        data["opened_year"] = str(self.cleaned_data["year"])

    def changes(self) -> dict:
        changes = super().changes()
        changes.pop("opened_year", None)
        return changes

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year not in self.plan.years:
            raise forms.ValidationError(
                _("%(year)s is not a year of this plan (%(first)s–%(last)s)."),
                code="year_outside_plan",
                params={"year": year, "first": self.plan.first_year, "last": self.plan.last_year},
            )
        return year

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."), code="file_too_big")
        extension = Path(upload.name).suffix.lower().lstrip(".")
        if extension not in EVIDENCE_EXTENSIONS:
            raise forms.ValidationError(
                _("Only PDF, JPG, PNG, XLSX or DOCX files can be attached."), code="file_type"
            )
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(_SIGNATURES[extension]):
            raise forms.ValidationError(
                _("The file's content does not match its type .%(extension)s."), code="file_content",
                params={"extension": extension},
            )
        return upload
