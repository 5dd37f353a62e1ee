"""Importing annex spreadsheets into a plan: check everything, then write everything in one transaction.

Pass 1 reads every sheet of every file, parses and checks each row, and spools
the parsed rows to disk. If any error was found nothing is written. Pass 2
writes projects, budgets, units, places and stated figures in bulk inside one
transaction, with history attributed to the import. A dry run (the preview)
runs pass 2 too and rolls it back, so the preview counts are exactly what the
import will do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from importers.identity import identity_of
from importers.messages import ERROR, WARNING, Message
from importers.parsing import ParseContext, ProjectRow, SheetParser, StatedRow
from importers.reading import UnreadableFile, detect_format, open_sheets
from importers.report import ImportReport
from importers.spool import RowSpool
from importers.writing import AnnexWriter
from figures.models import StatedFigure
from funding.models import AnnualBudget
from planportal.lib.names import category_key
from plans.access import ADMIN, require, require_open
from plans.hooks import totals_changed
from plans.models import Category, Plan
from projects.models import Project, UnitAlias
from projects.services import unit_key_function

Progress = Callable[[str, int, int], None]


@dataclass
class ImportFile:
    path: Path  # where it is stored: never shown (a stored upload is called e.g. "2-914f1be50241.csv")
    name: str  # as the user knows it (the upload's name), used in messages


@dataclass
class _Checked:
    """What pass 1 learnt, small enough to keep whatever the file size."""

    stated: list = field(default_factory=list)
    # hash((project identity, year)) → index of its first row in `rows_seen_at`: one int per row.
    seen: dict = field(default_factory=dict)
    sheets: list = field(default_factory=list)  # sheet labels, so `seen` can keep a number for each
    # One entry per project, keyed by hash(row key): what the project itself should say once
    # every row is in — nature from its first year, category and status from its last — and
    # where its first row is (a 续建 first row has no earlier year to continue).
    facts: dict = field(default_factory=dict)
    new_units: dict = field(default_factory=dict)  # unit key → first spelling
    years: set = field(default_factory=set)


def parse_context(plan: Plan) -> ParseContext:
    categories = {
        category_key(c.name_zh): (c.pk, c.name_zh) for c in Category.objects.filter(plan=plan).order_by("order")
    }
    max_lengths = {
        "name": Project._meta.get_field("name").max_length,
        "unit": UnitAlias._meta.get_field("spelling").max_length,
        "serial": AnnualBudget._meta.get_field("serial_no").max_length,
        "label": StatedFigure._meta.get_field("label").max_length,
    }
    return ParseContext(first_year=plan.first_year, last_year=plan.last_year, categories=categories,
                        unit_key=unit_key_function(plan), max_lengths=max_lengths)


def annex_import(
    *,
    plan: Plan,
    files: list[ImportFile],
    user,
    batch=None,
    dry_run: bool = False,
    skip_locked_years: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check and (unless `dry_run`) import `files` into `plan`. Rows and stated figures that would change an
    approved year refuse the whole file, each changed value named; with `skip_locked_years` they are left as
    approved instead (and noted), and the rest is imported."""
    require(user, plan, ADMIN)
    require_open(plan.pk)
    report = ImportReport(files=[f.name for f in files], dry_run=dry_run, skip_locked_years=skip_locked_years)
    progress = progress or (lambda stage, done, total: None)
    unit_ids = dict(UnitAlias.objects.filter(plan=plan).values_list("key", "unit_id"))
    context = parse_context(plan)

    with RowSpool() as spool:
        checked = _check(files, context, unit_ids, spool, report, progress)
        report.rows_read = spool.count
        report.years = sorted(checked.years)
        if report.rejected:
            return report
        writer = AnnexWriter(plan=plan, report=report, user=user, batch=batch, unit_ids=unit_ids,
                             skip_locked=skip_locked_years)
        with transaction.atomic():
            writer.create_units(checked.new_units)
            done = 0
            for chunk in spool.chunks():
                writer.write_rows(chunk, checked.facts)
                done += len(chunk)
                progress("write", done, spool.count)
            writer.finish_projects()
            _warn_continued_without_earlier_year(checked, writer, report)
            writer.write_stated(checked.stated)
            if report.rejected:  # the year lock refused a change: nothing of the file is written
                transaction.set_rollback(True)
                if not (dry_run and report.skippable):
                    report.forget_counts()  # else they are what skipping the locked years would import
            elif dry_run:
                transaction.set_rollback(True)
            else:
                report.imported = True
                totals_changed(plan.pk)
    return report


def _check(files, context, unit_ids, spool, report, progress) -> _Checked:
    checked = _Checked()
    any_table = False
    for import_file in files:
        try:
            fmt = detect_format(import_file.path)
            sheets = open_sheets(import_file.path, max_bytes=settings.PLANPORTAL_MAX_UPLOAD_BYTES,
                                 name=import_file.name)
        except UnreadableFile as exc:
            report.add(_unreadable(import_file.name, exc))
            continue
        for sheet in sheets:
            # Messages name the file as its owner knows it: a CSV's one sheet is the file itself.
            if fmt == "csv":
                sheet_label = import_file.name
            else:
                sheet_label = sheet.name if len(files) == 1 else f"{import_file.name} · {sheet.name}"
            if sheet.hidden:
                report.add(Message(WARNING, "hidden_sheet", sheet_label, None, "", {"sheet": sheet_label}))
                continue
            parser = SheetParser(context, sheet_label, from_csv=fmt == "csv", marks=sheet.marks)
            try:
                found_table = _check_sheet(parser, sheet, checked, unit_ids, spool, report, progress)
            except UnreadableFile as exc:  # a sheet is only fully read when its rows are
                report.add(_unreadable(sheet_label, exc))
                continue
            if not found_table:
                report.add(Message(WARNING, "sheet_without_table", sheet_label, None, "", {"sheet": sheet_label}))
            any_table = any_table or found_table
    if not any_table and not report.rejected:
        report.add(Message(ERROR, "no_header", files[0].name if files else "", None, "", {}))
    return checked


def _unreadable(where: str, exc: UnreadableFile) -> Message:
    # `reason` keeps the reader's code (encrypted, corrupt …) for programs; people read `detail`.
    return Message(ERROR, "unreadable", where, None, "",
                   {"detail": exc.message("zh"), "detail_en": exc.message("en"), "reason": exc.code})


def _check_sheet(parser, sheet, checked, unit_ids, spool, report, progress) -> bool:
    """Parse one sheet into the spool; True when it holds an annex table."""
    found_table = False
    for item in parser.parse(sheet.rows()):
        if isinstance(item, ProjectRow):
            found_table = True
            _check_row(item, checked, unit_ids, report)
            spool.add(item)
            if spool.count % 5000 == 0:
                progress("check", spool.count, 0)
        elif isinstance(item, StatedRow):
            found_table = True
            report.stated_read += 1
            if item.year is None:
                report.add(Message(WARNING, "missing_year", item.sheet, item.row, "", {}))
            else:
                checked.stated.append(item)
                checked.years.add(item.year)
        else:
            found_table = found_table or item.code != "missing_column"
            report.add(item)
    return found_table


# Python's own hash: 64 bits, fast, and stable within the one process an import runs in.
def _check_row(row: ProjectRow, checked: _Checked, unit_ids: dict, report: ImportReport) -> None:
    identity = identity_of(row, unit_ids)
    slot = hash((identity, row.year))
    if not checked.sheets or checked.sheets[-1] != row.sheet:
        checked.sheets.append(row.sheet)
    first = checked.seen.get(slot)
    if first is not None:
        report.add(Message(ERROR, "duplicate_row", row.sheet, row.row, "项目名称",
                           {"first_sheet": checked.sheets[first >> 32], "first_row": first & 0xFFFFFFFF}))
        return
    checked.seen[slot] = ((len(checked.sheets) - 1) << 32) | row.row
    checked.years.add(row.year)
    row_hash = hash(row.key)
    facts = checked.facts.get(row_hash)
    if facts is None:
        checked.facts[row_hash] = [row.year, row.nature, row.year, row.category_id, row.status, row.sheet, row.row,
                                   identity]
    else:
        if row.year < facts[0]:
            facts[0], facts[1], facts[5], facts[6] = row.year, row.nature, row.sheet, row.row
        if row.year > facts[2]:
            facts[2], facts[3], facts[4] = row.year, row.category_id, row.status
    unit_key = row.key[2]
    if unit_key and unit_key not in unit_ids and unit_key not in checked.new_units:
        checked.new_units[unit_key] = row.unit_spelling
        report.add(Message(WARNING, "new_unit", row.sheet, row.row, "项目实施单位", {"value": row.unit_spelling}))


def _warn_continued_without_earlier_year(checked: _Checked, writer: "AnnexWriter", report: ImportReport) -> None:
    """A 续建 row needs an earlier year of the same project, in this file or already stored, or an earlier plan's
    project it continues (linked while writing: AnnexWriter.continued)."""
    stored_first = writer.stored_first_years()
    for year, nature, _last, _category, _status, sheet, row, identity in checked.facts.values():
        if nature == "续建" and identity not in writer.continued and stored_first.get(identity, year) >= year:
            report.add(Message(WARNING, "continued_without_earlier_year", sheet, row, "建设性质", {"year": year}))
