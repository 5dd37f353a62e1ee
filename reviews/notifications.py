"""E-mails about review steps, sent after the step commits (never for a step that rolled back).

submitted → the plan's liaison officers; returned, approved, reopened → the plan's county staff.
Written in the site's language (Chinese), whatever language the acting user's page was in.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from plans.models import PlanMembership
from reviews.models import ReviewEvent

log = logging.getLogger(__name__)
Action = ReviewEvent.Action

RECIPIENT_ROLE = {
    Action.SUBMIT: PlanMembership.Role.LIAISON,
    Action.RETURN: PlanMembership.Role.STAFF,
    Action.APPROVE: PlanMembership.Role.STAFF,
    Action.REOPEN: PlanMembership.Role.STAFF,
}


def recipients(plan, role: str) -> list[str]:
    """E-mail addresses of the plan's active members with this role (members without an address are skipped)."""
    users = get_user_model().objects.filter(
        plan_memberships__plan=plan, plan_memberships__role=role, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _subject_and_body(event: ReviewEvent) -> tuple[str, str]:
    plan_year = event.plan_year
    plan = plan_year.plan
    values = {
        "plan": plan.name, "year": plan_year.year, "who": event.user_name or "—", "reason": event.reason,
        "path": reverse("plan-review", args=[plan.code, plan_year.year]),
    }
    subjects = {
        Action.SUBMIT: _("[%(plan)s] %(year)s submitted for review by %(who)s"),
        Action.APPROVE: _("[%(plan)s] %(year)s approved by %(who)s"),
        Action.RETURN: _("[%(plan)s] %(year)s returned for revision by %(who)s"),
        Action.REOPEN: _("[%(plan)s] %(year)s reopened by %(who)s"),
    }
    intros = {
        Action.SUBMIT: _("%(who)s submitted the figures of %(year)s of “%(plan)s” for review."),
        Action.APPROVE: _("%(who)s approved the figures of %(year)s of “%(plan)s”. "
                          "The year is now locked: its budgets cannot be changed until it is reopened."),
        Action.RETURN: _("%(who)s returned the figures of %(year)s of “%(plan)s” for revision."),
        Action.REOPEN: _("%(who)s reopened %(year)s of “%(plan)s”: its budgets can be changed again."),
    }
    lines = [intros[event.action] % values]
    if event.reason:
        label = _("Reason") if event.action in (Action.RETURN, Action.REOPEN) else _("Note")
        lines.append(f"{label}: {event.reason}")
    snapshot = event.snapshot or {}
    if snapshot:
        lines.append(_("Totals at that moment: %(projects)s project rows, total investment %(total)s 万元, "
                       "cooperation funds %(beijing)s 万元, local funds %(local)s 万元, "
                       "%(disagreements)s open disagreements.") % {
            "projects": snapshot.get("projects"), "total": snapshot.get("total_investment"),
            "beijing": snapshot.get("beijing_funds"), "local": snapshot.get("local_funds"),
            "disagreements": snapshot.get("open_disagreements"),
        })
    lines.append(_("Review page: %(path)s") % values)
    return subjects[event.action] % values, "\n\n".join(lines) + "\n"


def _send(messages: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(messages)
    except Exception:  # a mail server being down must not undo or hide a committed review step
        log.exception("Could not send review notifications")


def notify_review_event(event: ReviewEvent) -> None:
    """Queue one e-mail per recipient, sent when the surrounding transaction commits."""
    to = recipients(event.plan_year.plan, RECIPIENT_ROLE[event.action])
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _subject_and_body(event)
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in to]
    transaction.on_commit(lambda: _send(messages))
