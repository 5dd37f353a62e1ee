"""What a review step asks for: an optional note (submit, approve) or a required reason (return, reopen)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.services import REASON_REQUIRED


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note (optional)"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    text = forms.CharField(label=_("Reason (required)"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("A reason is required.")})

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("A reason is required."), code="required")
        return text


def form_for(action: str, data=None) -> forms.Form:
    """The form of one action; every form posts a field named "text", with ids unique on the page."""

    form_class = ReasonForm if action in REASON_REQUIRED else NoteForm
    return form_class(data, auto_id=f"id_{action}_%s")
