"""The confirmation form of a review step: the year's figures in words beside a box that must be ticked, the
check code of those figures (hidden), and a note (submit, approve) or a required reason (return, reopen)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planportal.lib.money import format_wan
from reviews.models import ReviewEvent
from reviews.queries import PlanFigures, YearFigures
from reviews.services import REASON_REQUIRED

Action = ReviewEvent.Action
CLOSE = "close"  # closing the plan (reviews.services.plan_close), confirmed like a step


def confirmation_text(action: str, figures: YearFigures | PlanFigures) -> str:
    """确认审核通过 2023 年度：项目 32 个，项目总投资 …万元，…；通过后该年度锁定。"""
    values = {"year": figures.year, "projects": figures.projects,
              "total": format_wan(figures.total_investment), "beijing": format_wan(figures.beijing_funds),
              "local": format_wan(figures.local_funds)}
    texts = {
        Action.SUBMIT: _("Submit %(year)s for review: %(projects)s projects, total investment %(total)s 万元, "
                         "cooperation funds %(beijing)s 万元, local funds %(local)s 万元; a liaison officer "
                         "reviews it next."),
        Action.APPROVE: _("Approve %(year)s: %(projects)s projects, total investment %(total)s 万元, "
                          "cooperation funds %(beijing)s 万元, local funds %(local)s 万元; once approved, the "
                          "year is locked."),
        Action.RETURN: _("Return %(year)s for revision: %(projects)s projects, total investment %(total)s 万元, "
                         "cooperation funds %(beijing)s 万元, local funds %(local)s 万元; county staff revise it "
                         "and submit it again."),
        Action.REOPEN: _("Reopen %(year)s: %(projects)s projects, total investment %(total)s 万元, "
                         "cooperation funds %(beijing)s 万元, local funds %(local)s 万元; its budgets can be "
                         "changed again and it must be reviewed anew."),
        CLOSE: _("Close the plan %(year)s: %(projects)s annex rows, total investment %(total)s 万元, "
                 "cooperation funds %(beijing)s 万元, local funds %(local)s 万元; once closed, nothing of the "
                 "plan changes until an administrator reopens one of its years."),
    }
    return texts[action] % values


class ConfirmForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.CharField(widget=forms.HiddenInput, max_length=64,
                                error_messages={"required": gettext_lazy("The confirmation is incomplete: open it "
                                                                         "again from the year's page.")})
    checked = forms.BooleanField(required=True, error_messages={
        "required": gettext_lazy("Tick the box to confirm that you have checked these figures.")})

    def __init__(self, data=None, *, action: str, figures: YearFigures | PlanFigures, text: str = ""):
        super().__init__(data, initial={"confirmed": figures.digest, "text": text}, auto_id=f"id_{action}_%s")
        self.action = action
        self.fields["checked"].label = confirmation_text(action, figures)
        if action in REASON_REQUIRED:
            self.fields["text"].required = True
            self.fields["text"].label = gettext_lazy("Reason (required)")
            self.fields["text"].widget.attrs.update({"rows": 3, "required": True})
            self.fields["text"].error_messages["required"] = gettext_lazy("A reason is required.")

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if self.action in REASON_REQUIRED and not text:
            raise forms.ValidationError(_("A reason is required."), code="required")
        return text
