"""Importing the finance bureau's disbursement sheets: each payment matched to a budget of the plan, checked,
then recorded in one transaction through funding.services.disbursements_record.

Pass 1 reads every sheet of every file (importers.reading), parses each row
(importers.disbursements_parsing), matches it to a budget of the plan and checks it against what is
stored: any error and nothing is written. Pass 2 records every payment at once; the budgets' disbursed
figures become the sums of their payments, with history naming the import batch. The preview (dry run)
runs pass 2 too and rolls it back, so its counts are what the import will do.

Matching: by the year's annex serial number (AnnualBudget.serial_no) when the row gives one and the name
agrees (or the row gives no name); else by the normalised name, place and unit (importers.identity's
keys: 旗农科局 and 科右中旗农科局 are one unit), using the place and unit only when the sheet has those
columns. A row that names no budget, or more than one, is an error saying what to add.

The batch a payment came from is not a column of funding.Disbursement (funding sits below importers):
each history entry an import writes names its files and batch (planportal.history.import_reason).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from funding.models import AnnualBudget, Disbursement
from funding.services import DisbursementEntry, disbursements_record, voucher_key
from importers.disbursements_parsing import DisbursementRow, DisbursementSheetParser
from importers.messages import ERROR, WARNING, Message
from importers.reading import UnreadableFile, detect_format, open_sheets
from importers.report import MAX_CHANGES, Counts, ImportReport
from importers.services import ImportFile, _unreadable, parse_context
from planportal.history import import_reason
from planportal.lib.money import format_wan
from planportal.lib.names import normalize_text
from plans.access import ADMIN, require, require_open
from plans.models import Plan, PlanYear
from projects.models import UnitAlias

Progress = Callable[[str, int, int], None]
ZERO = Decimal(0)


@dataclass
class DisbursementReport(ImportReport):
    kind: str = "disbursements"
    disbursements: Counts = field(default_factory=Counts)
    repeated: int = 0  # rows repeating another row of the file, counted once
    budgets_changed: int = 0
    file_beijing: Decimal = ZERO  # sums of the payments read, 万元
    file_local: Decimal = ZERO
    projects_list: list = field(default_factory=list)  # per budget: what the import does to it
    projects_total: int = 0

    def forget_counts(self) -> None:
        super().forget_counts()
        self.disbursements, self.budgets_changed = Counts(), 0

    def as_json(self, lang: str = "zh") -> dict:
        data = super().as_json(lang)
        data.update({
            "kind": self.kind,
            "disbursements": self.disbursements.as_json(),
            "repeated": self.repeated,
            "budgets_changed": self.budgets_changed,
            "file_totals": {"beijing_funds": str(self.file_beijing), "local_funds": str(self.file_local)},
            "projects_list": self.projects_list,
            "projects_total": self.projects_total,
        })
        return data


@dataclass
class _Budget:
    pk: int
    year: int
    serial: str
    name: str
    name_key: str
    location_key: str
    unit_id: int | None
    locked: bool
    actual_beijing: Decimal | None
    actual_local: Decimal | None
    beijing: Decimal
    local: Decimal


def _serial_key(text: str) -> str:
    return normalize_text(text).rstrip(".、")


class _Budgets:
    """The plan's budgets, indexed the ways a payment row can name one."""

    def __init__(self, plan: Plan):
        self.by_serial: dict[tuple, list[_Budget]] = defaultdict(list)
        self.by_name: dict[tuple, list[_Budget]] = defaultdict(list)
        rows = AnnualBudget.objects.filter(plan_year__plan=plan).values_list(
            "pk", "plan_year__year", "serial_no", "project__name", "project__location_text", "project__unit_id",
            "plan_year__review_status", "actual_beijing_funds", "actual_local_funds", "beijing_funds", "local_funds")
        self.by_pk: dict[int, _Budget] = {}
        for pk, year, serial, name, location, unit_id, review, actual_b, actual_l, beijing, local in rows:
            budget = _Budget(pk, year, serial, name, normalize_text(name), normalize_text(location), unit_id,
                             review == PlanYear.Review.APPROVED, actual_b, actual_l, beijing, local)
            self.by_pk[pk] = budget
            if serial:
                self.by_serial[(year, _serial_key(serial))].append(budget)
            self.by_name[(year, budget.name_key)].append(budget)


def _where(row: DisbursementRow, lang: str) -> str:
    name_key, location_key, unit_key = row.key
    parts = []
    if location_key:
        parts.append((f"，建设地点“{row.location}”", f", place “{row.location}”"))
    if unit_key:
        parts.append((f"，实施单位“{row.unit_spelling}”", f", unit “{row.unit_spelling}”"))
    return "".join(p[0 if lang == "zh" else 1] for p in parts)


class _Matcher:
    def __init__(self, budgets: _Budgets, unit_ids: dict):
        self.budgets = budgets
        self.unit_ids = unit_ids

    def by_name(self, row: DisbursementRow) -> list[_Budget]:
        name_key, location_key, unit_key = row.key
        found = self.budgets.by_name.get((row.year, name_key), [])
        if location_key:
            found = [b for b in found if b.location_key == location_key]
        if unit_key:
            unit_id = self.unit_ids.get(unit_key)
            found = [b for b in found if unit_id is not None and b.unit_id == unit_id]
        return found

    def match(self, row: DisbursementRow, report: ImportReport) -> _Budget | None:
        params = {"year": row.year, "name": row.name, "serial": row.serial}
        if row.serial:
            by_serial = self.budgets.by_serial.get((row.year, _serial_key(row.serial)), [])
            if len(by_serial) == 1 and (not row.name or by_serial[0].name_key == row.key[0]):
                return by_serial[0]
            if not row.name:
                report.add(Message(ERROR, "project_not_found", row.sheet, row.row, row.column("serial"),
                                   {**params, "name": row.serial, "where": "", "where_en": ""}))
                return None
        found = self.by_name(row)
        if len(found) == 1:
            if row.serial:
                by_serial = self.budgets.by_serial.get((row.year, _serial_key(row.serial)), [])
                if len(by_serial) == 1:
                    report.add(Message(WARNING, "serial_name_differs", row.sheet, row.row, row.column("serial"),
                                       {**params, "annex_name": by_serial[0].name}))
                elif not by_serial:
                    report.add(Message(WARNING, "serial_unknown", row.sheet, row.row, row.column("serial"), params))
            return found[0]
        if not found and row.serial:
            by_serial = self.budgets.by_serial.get((row.year, _serial_key(row.serial)), [])
            if len(by_serial) == 1:
                report.add(Message(ERROR, "serial_mismatch", row.sheet, row.row, row.column("serial"),
                                   {**params, "annex_name": by_serial[0].name}))
                return None
        code = "project_ambiguous" if found else "project_not_found"
        report.add(Message(ERROR, code, row.sheet, row.row, row.column("name"),
                           {**params, "count": len(found), "where": _where(row, "zh"), "where_en": _where(row, "en")}))
        return None


@dataclass
class _Checked:
    entries: dict = field(default_factory=dict)  # (budget id, voucher key) → DisbursementEntry
    first_row: dict = field(default_factory=dict)  # (budget id, voucher key) → (sheet, row, voucher column)
    any_table: bool = False
    years: set = field(default_factory=set)


def disbursement_import(*, plan: Plan, files: list[ImportFile], user, batch=None, dry_run: bool = False,
                        progress: Progress | None = None) -> DisbursementReport:
    """Check and (unless `dry_run`) record the payments of `files` in `plan`'s budgets: all or nothing."""
    require(user, plan, ADMIN)
    require_open(plan.pk)
    report = DisbursementReport(files=[f.name for f in files], dry_run=dry_run)
    progress = progress or (lambda stage, done, total: None)
    unit_ids = dict(UnitAlias.objects.filter(plan=plan).values_list("key", "unit_id"))
    budgets = _Budgets(plan)
    matcher = _Matcher(budgets, unit_ids)
    checked = _Checked()
    context = parse_context(plan)
    for import_file in files:
        _read_file(import_file, len(files), context, matcher, checked, report, progress)
    if not checked.any_table and not report.errors_total:
        report.add(Message(ERROR, "no_disbursement_header", files[0].name if files else "", None, "", {}))
    report.years = sorted(checked.years)
    stored = _stored(checked)
    _compare(checked, stored, budgets, report)
    if report.rejected:
        report.forget_counts()
        return report
    reason = batch.change_reason if batch is not None else import_reason(", ".join(report.files))
    progress("write", 0, len(checked.entries))
    with transaction.atomic():
        recorded = disbursements_record(plan=plan, entries=checked.entries.values(), user=user, reason=reason)
        report.budgets_changed = recorded.budgets_changed
        # The counts pass 1 made are what the service did (it compares the same way); say if they ever differ.
        assert (recorded.created, recorded.updated, recorded.unchanged) == (
            report.disbursements.created, report.disbursements.updated, report.disbursements.unchanged)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report.imported = True
    progress("write", len(checked.entries), len(checked.entries))
    return report


def _read_file(import_file, file_count, context, matcher, checked, report, progress) -> None:
    try:
        fmt = detect_format(import_file.path)
        sheets = open_sheets(import_file.path, max_bytes=settings.PLANPORTAL_MAX_UPLOAD_BYTES, name=import_file.name)
    except UnreadableFile as exc:
        report.add(_unreadable(import_file.name, exc))
        return
    for sheet in sheets:
        if fmt == "csv":
            label = import_file.name
        else:
            label = sheet.name if file_count == 1 else f"{import_file.name} · {sheet.name}"
        if sheet.hidden:
            report.add(Message(WARNING, "hidden_sheet", label, None, "", {"sheet": label}))
            continue
        parser = DisbursementSheetParser(context, label, from_csv=fmt == "csv", marks=sheet.marks)
        try:
            for item in parser.parse(sheet.rows()):
                if isinstance(item, DisbursementRow):
                    report.rows_read += 1
                    _check_row(item, matcher, checked, report)
                    if report.rows_read % 5000 == 0:
                        progress("check", report.rows_read, 0)
                else:
                    report.add(item)
        except UnreadableFile as exc:
            report.add(_unreadable(label, exc))
            continue
        if parser.found_table:
            checked.any_table = True
        else:
            report.add(Message(WARNING, "sheet_without_disbursements", label, None, "", {"sheet": label}))


def _check_row(row: DisbursementRow, matcher: _Matcher, checked: _Checked, report: DisbursementReport) -> None:
    report.file_beijing += row.beijing
    report.file_local += row.local
    checked.years.add(row.year)
    budget = matcher.match(row, report)
    if budget is None:
        return
    key = (budget.pk, voucher_key(row.voucher))
    entry = DisbursementEntry(budget_id=budget.pk, voucher_no=key[1], paid_on=row.paid_on,
                              beijing_amount=row.beijing, local_amount=row.local)
    earlier = checked.entries.get(key)
    if earlier is not None:
        sheet, first, _column = checked.first_row[key]
        code, level = ("voucher_repeated", WARNING) if earlier == entry else ("voucher_conflict", ERROR)
        report.add(Message(level, code, row.sheet, row.row, row.column("voucher"),
                           {"voucher": key[1], "first_sheet": sheet, "first_row": first}))
        report.repeated += level == WARNING
        return
    checked.entries[key] = entry
    checked.first_row[key] = (row.sheet, row.row, row.column("voucher"))


def _stored(checked: _Checked) -> dict:
    """(budget id, voucher) → (paid on, cooperation, local) of the stored payments of the budgets the file pays."""
    ids = {budget_id for budget_id, _voucher in checked.entries}
    stored = {}
    for start in range(0, len(ids), 5000):
        chunk = sorted(ids)[start:start + 5000]
        for budget_id, voucher, paid_on, beijing, local in Disbursement.objects.filter(budget_id__in=chunk).values_list(
                "budget_id", "voucher_no", "paid_on", "beijing_amount", "local_amount"):
            stored[(budget_id, voucher)] = (paid_on, beijing, local)
    return stored


def _compare(checked: _Checked, stored: dict, budgets: _Budgets, report: DisbursementReport) -> None:
    """Count what each payment does (new, changed, as stored), refuse those that change an approved year, and
    sum up per budget what its disbursed figures become."""
    per_budget: dict[int, dict] = {}
    for key, entry in checked.entries.items():
        budget = budgets.by_pk[entry.budget_id]
        was = stored.get(key)
        now = (entry.paid_on, entry.beijing_amount, entry.local_amount)
        summary = per_budget.setdefault(budget.pk, {"created": 0, "updated": 0, "unchanged": 0,
                                                    "beijing": ZERO, "local": ZERO, "at": checked.first_row[key]})
        summary["beijing"] += entry.beijing_amount
        summary["local"] += entry.local_amount
        if was == now:
            report.disbursements.unchanged += 1
            summary["unchanged"] += 1
            continue
        change = "created" if was is None else "updated"
        if budget.locked:
            sheet, row, column = checked.first_row[key]
            report.add(Message(ERROR, "disbursement_locked", sheet, row, column, {
                "year": budget.year, "name": budget.name, "voucher": key[1],
                "change": "新增" if was is None else "改动", "change_en": "add" if was is None else "change"}))
        setattr(report.disbursements, change, getattr(report.disbursements, change) + 1)
        summary[change] += 1
    if not per_budget:
        return
    others: dict[int, list] = defaultdict(lambda: [ZERO, ZERO, 0])  # stored payments the file does not name
    for (budget_id, voucher), (_paid_on, beijing, local) in stored.items():
        if (budget_id, voucher) not in checked.entries:
            sums = others[budget_id]
            sums[0] += beijing
            sums[1] += local
            sums[2] += 1
    report.projects_total = len(per_budget)
    for budget_id, summary in sorted(per_budget.items(), key=lambda item: (budgets.by_pk[item[0]].year,
                                                                          budgets.by_pk[item[0]].name)):
        budget = budgets.by_pk[budget_id]
        kept_b, kept_l, kept = others.get(budget_id, (ZERO, ZERO, 0))
        after_b, after_l = kept_b + summary["beijing"], kept_l + summary["local"]
        had_payments = kept or summary["unchanged"] or summary["updated"]
        if not had_payments and (budget.actual_beijing is not None or budget.actual_local is not None) and (
                (budget.actual_beijing, budget.actual_local) != (after_b, after_l)):
            sheet, row, _column = summary["at"]
            report.add(Message(WARNING, "actual_replaced", sheet, row, "", {
                "name": budget.name, "year": budget.year, "beijing": _shown(budget.actual_beijing),
                "local": _shown(budget.actual_local)}))
        if after_b > budget.beijing or after_l > budget.local:
            sheet, row, _column = summary["at"]
            over = after_b > budget.beijing
            report.add(Message(WARNING, "actual_above_planned", sheet, row, "京蒙资金拨付" if over else "地方自筹拨付", {
                "actual": format_wan(after_b if over else after_l),
                "planned": format_wan(budget.beijing if over else budget.local)}))
        if len(report.projects_list) < MAX_CHANGES:
            report.projects_list.append({
                "project": budget.name, "year": budget.year, "serial": budget.serial,
                "created": summary["created"], "updated": summary["updated"], "unchanged": summary["unchanged"],
                "kept": kept, "beijing_before": _shown(budget.actual_beijing), "beijing_after": format_wan(after_b),
                "local_before": _shown(budget.actual_local), "local_after": format_wan(after_l),
            })


def _shown(value) -> str:
    return "" if value is None else format_wan(value)
