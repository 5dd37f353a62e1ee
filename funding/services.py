"""Writes to annual budgets: the acting user's role, the year lock, the version, validation,
history and the recompute request are all checked here, whichever door the change comes through."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from funding.models import AnnualBudget, Disbursement
from planportal.lib.names import normalize_text
from planportal.fields import known_fields
from planportal.concurrency import next_version
from planportal.history import attribute_to
from plans.access import EDIT, history_user, require
from plans.hooks import totals_changed
from plans.locks import ensure_years_editable
from plans.models import Plan, PlanYear
from projects.models import Project

BUDGET_FIELDS = {
    "serial_no",
    "nature",
    "scale_and_content",
    "beijing_funds_use",
    "total_investment",
    "beijing_funds",
    "local_funds",
    "actual_beijing_funds",
    "actual_local_funds",
}


def plan_year_of(*, project: Project, year: int) -> PlanYear:
    try:
        return PlanYear.objects.get(plan_id=project.plan_id, year=year)
    except (PlanYear.DoesNotExist, ValueError, TypeError):
        plan = project.plan
        raise ValidationError(
            {"plan_year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
             % {"year": year, "first": plan.first_year, "last": plan.last_year}}
        ) from None


def _budget_saved(budget: AnnualBudget) -> AnnualBudget:
    budget.full_clean()
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:
        raise ValidationError({"plan_year": _("This project already has a budget for %(year)s.")
                               % {"year": budget.plan_year.year}}) from None
    totals_changed(budget.plan_year.plan_id)
    return budget


@transaction.atomic
def budget_create(
    *,
    project: Project,
    year: int,
    user,
    total_investment: Decimal = Decimal(0),
    beijing_funds: Decimal = Decimal(0),
    local_funds: Decimal = Decimal(0),
    **details,
) -> AnnualBudget:
    known_fields(details, BUDGET_FIELDS, "budget_create")
    require(user, project.plan_id, EDIT)
    plan_year = plan_year_of(project=project, year=year)
    ensure_years_editable([plan_year])
    budget = AnnualBudget(
        project=project,
        plan_year=plan_year,
        total_investment=total_investment,
        beijing_funds=beijing_funds,
        local_funds=local_funds,
        **details,
    )
    attribute_to(budget, user)
    return _budget_saved(budget)


@transaction.atomic
def budget_update(*, budget: AnnualBudget, user, expected_version: int | None = None, reason: str | None = None,
                  _from_disbursements: bool = False, **changes) -> AnnualBudget:
    """Change a budget. With `expected_version` (the version the editor started from), a save over
    someone else's newer save is refused with StaleEdit instead of silently overwriting it. `reason` goes
    into the history entry.

    The disbursed figures of a budget that has disbursements are their sums (budget_actuals_sync): a change
    to them by hand is refused; change the disbursements instead."""
    known_fields(changes, BUDGET_FIELDS | {"year"}, "budget_update")
    current = AnnualBudget.objects.select_for_update().select_related("plan_year", "project").get(pk=budget.pk)
    require(user, current.project.plan_id, EDIT)
    if not _from_disbursements:
        _refuse_actuals_by_hand(current, changes)
    budget.version = next_version(current, expected_version)
    budget.project = current.project
    years = [current.plan_year]
    if "year" in changes:
        budget.plan_year = plan_year_of(project=current.project, year=changes.pop("year"))
        years.append(budget.plan_year)
    ensure_years_editable(years)
    for field, value in changes.items():
        setattr(budget, field, value)
    attribute_to(budget, user, reason)
    return _budget_saved(budget)


@transaction.atomic
def budget_delete(*, budget: AnnualBudget, user) -> None:
    current = AnnualBudget.objects.select_for_update().select_related("plan_year", "project").get(pk=budget.pk)
    require(user, current.project.plan_id, EDIT)
    ensure_years_editable([current.plan_year])
    attribute_to(current, user)
    current.delete()
    totals_changed(current.plan_year.plan_id)


# --- Disbursements: payments as the finance bureau records them -------------------------------------------------
#
# A budget's disbursed figures (actual_beijing_funds, actual_local_funds) follow its disbursements: as soon as
# it has one they are the sums, written by budget_actuals_sync through budget_update (version, history with the
# reason, year lock, closed plan, recompute request), whichever door the payment came through (importer, admin,
# command). A figure entered by hand before the first disbursement is replaced by the sum (the history keeps
# it); while a budget has disbursements its figures cannot be changed by hand; when its last disbursement is
# deleted they go back to "not reported" (null).

ACTUALS = ("actual_beijing_funds", "actual_local_funds")
DISBURSEMENT_FIELDS = {"paid_on", "voucher_no", "beijing_amount", "local_amount"}


def voucher_key(text) -> str:
    """A voucher number as stored and matched: NFKC, no whitespace, one dash (记－ 12 and 记-12 are one voucher)."""
    return normalize_text("" if text is None else str(text))


def _refuse_actuals_by_hand(current: AnnualBudget, changes: dict) -> None:
    changed = [f for f in ACTUALS if f in changes and changes[f] != getattr(current, f)]
    if not changed:
        return
    count = Disbursement.objects.filter(budget_id=current.pk).count()
    if count:
        message = _("These figures are the sums of this budget's %(count)s disbursements: change the "
                    "disbursements instead.") % {"count": count}
        raise ValidationError({field: message for field in changed})


def budget_actuals_sync(*, budget_ids: Iterable[int], user, reason: str | None = None) -> int:
    """Make each budget's disbursed figures the sums of its disbursements (null, "not reported", when it has
    none), through budget_update. Returns how many budgets changed."""
    ids = sorted(set(budget_ids))
    sums = Disbursement.objects.filter(budget_id__in=ids).totals_by_budget()
    changed = 0
    for budget in AnnualBudget.objects.filter(pk__in=ids).select_related("plan_year", "project").order_by("pk"):
        beijing, local = sums.get(budget.pk, (None, None))
        if (budget.actual_beijing_funds, budget.actual_local_funds) == (beijing, local):
            continue
        budget_update(budget=budget, user=user, reason=reason, _from_disbursements=True,
                      actual_beijing_funds=beijing, actual_local_funds=local)
        changed += 1
    return changed


def _validated(disbursement: Disbursement) -> Disbursement:
    disbursement.voucher_no = voucher_key(disbursement.voucher_no)
    # The budget is the caller's (checked by plan); the uniqueness per budget is the database's.
    disbursement.full_clean(exclude=["budget"], validate_unique=False, validate_constraints=False)
    return disbursement


def _locked_budget(budget_id: int) -> AnnualBudget:
    return AnnualBudget.objects.select_for_update().select_related("plan_year", "project").get(pk=budget_id)


@transaction.atomic
def disbursement_create(*, budget: AnnualBudget, user, paid_on: date, voucher_no: str,
                        beijing_amount: Decimal = Decimal(0), local_amount: Decimal = Decimal(0),
                        reason: str | None = None) -> Disbursement:
    current = _locked_budget(budget.pk)
    require(user, current.project.plan_id, EDIT)
    ensure_years_editable([current.plan_year])
    disbursement = _validated(Disbursement(budget=current, paid_on=paid_on, voucher_no=voucher_no,
                                           beijing_amount=beijing_amount, local_amount=local_amount))
    if Disbursement.objects.filter(budget=current, voucher_no=disbursement.voucher_no).exists():
        raise ValidationError({"voucher_no": _("This budget already has the voucher %(voucher)s: change that "
                                               "disbursement instead.") % {"voucher": disbursement.voucher_no}})
    attribute_to(disbursement, user, reason)
    disbursement.save()
    budget_actuals_sync(budget_ids=[current.pk], user=user, reason=reason)
    return disbursement


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, user, reason: str | None = None,
                        **changes) -> Disbursement:
    known_fields(changes, DISBURSEMENT_FIELDS, "disbursement_update")
    current = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    budget = _locked_budget(current.budget_id)
    require(user, budget.project.plan_id, EDIT)
    ensure_years_editable([budget.plan_year])
    for field, value in changes.items():
        setattr(current, field, value)
    _validated(current)
    if Disbursement.objects.filter(budget=budget, voucher_no=current.voucher_no).exclude(pk=current.pk).exists():
        raise ValidationError({"voucher_no": _("This budget already has the voucher %(voucher)s.")
                               % {"voucher": current.voucher_no}})
    attribute_to(current, user, reason)
    current.save()
    budget_actuals_sync(budget_ids=[budget.pk], user=user, reason=reason)
    return current


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user, reason: str | None = None) -> None:
    current = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    budget = _locked_budget(current.budget_id)
    require(user, budget.project.plan_id, EDIT)
    ensure_years_editable([budget.plan_year])
    attribute_to(current, user, reason)
    current.delete()
    budget_actuals_sync(budget_ids=[budget.pk], user=user, reason=reason)


@dataclass(frozen=True)
class DisbursementEntry:
    """One payment to record: the budget it pays, its voucher, date and amounts (万元)."""

    budget_id: int
    voucher_no: str
    paid_on: date
    beijing_amount: Decimal
    local_amount: Decimal


@dataclass
class DisbursementsRecorded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    budgets_changed: int = 0


@transaction.atomic
def disbursements_record(*, plan: Plan, entries: Iterable[DisbursementEntry], user,
                         reason: str | None = None) -> DisbursementsRecorded:
    """Record many payments of a plan's budgets at once (the importer), one per budget and voucher: a voucher
    the budget already has is updated when its date or amounts differ and left alone when they do not, so the
    same file recorded twice counts each payment once. Vouchers not among `entries` stay as they are (the
    finance bureau's files arrive one after another). A payment that would add to or change an approved year
    is refused (YearLocked), a closed plan refuses everything (PlanClosed); then the disbursed figures of
    every budget that gained or changed a payment become the sums (budget_actuals_sync)."""
    require(user, plan, EDIT)
    entries = list(entries)
    ids = {entry.budget_id for entry in entries}
    years_of = dict(AnnualBudget.objects.filter(pk__in=ids, plan_year__plan=plan).values_list("pk", "plan_year_id"))
    if ids - years_of.keys():
        raise ValidationError(_("These budgets are not of the plan %(plan)s.") % {"plan": plan.code})
    stored = {(budget_id, voucher): pk for pk, budget_id, voucher in
              Disbursement.objects.filter(budget_id__in=ids).values_list("pk", "budget_id", "voucher_no")}
    wanted: dict[tuple, DisbursementEntry] = {}
    for entry in entries:
        key = (entry.budget_id, voucher_key(entry.voucher_no))
        if key in wanted and wanted[key] != entry:
            raise ValidationError(_("The voucher %(voucher)s is given twice for one budget with different "
                                    "dates or amounts.") % {"voucher": key[1]})
        wanted[key] = entry
    current = Disbursement.objects.in_bulk([stored[key] for key in wanted if key in stored])
    now = timezone.now()
    result = DisbursementsRecorded()
    to_create, to_update = [], []
    for key, entry in wanted.items():
        values = {"paid_on": entry.paid_on, "beijing_amount": entry.beijing_amount,
                  "local_amount": entry.local_amount}
        pk = stored.get(key)
        if pk is None:
            to_create.append(_validated(Disbursement(budget_id=entry.budget_id, voucher_no=key[1], created_at=now,
                                                     updated_at=now, **values)))
            continue
        disbursement = current[pk]
        if all(getattr(disbursement, field) == value for field, value in values.items()):
            result.unchanged += 1
            continue
        for field, value in values.items():
            setattr(disbursement, field, value)
        disbursement.updated_at = now
        to_update.append(_validated(disbursement))
    touched = {d.budget_id for d in (*to_create, *to_update)}
    ensure_years_editable(PlanYear.objects.filter(pk__in={years_of[b] for b in touched},
                                                  review_status=PlanYear.Review.APPROVED))
    who = history_user(user)
    if to_create:
        bulk_create_with_history(to_create, Disbursement, batch_size=500, default_user=who,
                                 default_change_reason=reason or "", default_date=now)
    if to_update:
        bulk_update_with_history(to_update, Disbursement, ["paid_on", "beijing_amount", "local_amount", "updated_at"],
                                 batch_size=500, default_user=who, default_change_reason=reason or "",
                                 default_date=now)
    result.created, result.updated = len(to_create), len(to_update)
    result.budgets_changed = budget_actuals_sync(budget_ids=touched, user=user, reason=reason)
    return result
