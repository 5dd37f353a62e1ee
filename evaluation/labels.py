"""Words of the evaluation shared by the page and the xlsx (in the active language)."""

from django.utils.translation import gettext_lazy as _

ORIGIN_LABELS = {
    "annex": _("annex"),
    "narrative": _("plan text"),
    "manual": _("entered by staff"),
    "derived": _("derived from the project rows"),
}
CHECK_LABELS = {
    "agrees": _("agrees"),
    "differs": _("differs"),
    "not_computable": _("not computable"),
}
STATUS_LABELS = {
    "completed": _("completed"),
    "in_progress": _("in progress"),
    "cancelled": _("cancelled"),
    "never_started": _("never started"),
}
ATTAINED_LABELS = {True: _("attained"), False: _("not attained"), None: _("no value reported")}
INDICATOR_KINDS = {"main": _("(1) Main indicators of box 1"), "goal": _("(2) Five-year goals")}


def indicator_kinds(report: dict) -> list[tuple[str, str]]:
    """(kind, heading) of each kind of indicator the evaluation has, main indicators first."""
    present = {row["kind"] for row in report["indicators"]}
    return [(kind, label) for kind, label in INDICATOR_KINDS.items() if kind in present]
