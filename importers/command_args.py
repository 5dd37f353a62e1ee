"""What the import commands (import_annex, import_disbursements) share: the plan, the files and the acting
user from the command line, checked before anything is read."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from plans.access import ADMIN, SYSTEM, require
from plans.models import Plan


def import_arguments(*, plan: str, files: list[str], user: str | None) -> tuple[Plan, list[Path], object]:
    """(plan, paths, actor): the plan by its code, every file present, the actor an administrator of the
    plan (the system without --user). Refused as a CommandError naming what to fix."""
    try:
        plan_obj = Plan.objects.get(code=plan)
    except Plan.DoesNotExist:
        raise CommandError(f"No plan with code {plan!r}. Existing codes: "
                           f"{', '.join(Plan.objects.values_list('code', flat=True)) or '(none)'}") from None
    paths = [Path(f) for f in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CommandError(f"No such file: {', '.join(missing)}")
    actor = SYSTEM
    if user:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        try:
            require(actor, plan_obj, ADMIN)
        except PermissionDenied as refused:
            raise CommandError(f"{user}: {refused}") from None
    return plan_obj, paths, actor


def json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)
