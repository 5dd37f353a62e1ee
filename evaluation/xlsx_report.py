"""The final evaluation's tables as xlsx, one sheet each (openpyxl write-only), in the given language.

Every text goes through planportal.lib.xlsx_cells.XlsxCells.text (a string cell, never a formula;
characters XML cannot hold removed); every amount is a number cell in 万元 with two decimals shown.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from evaluation.labels import ATTAINED_LABELS, CHECK_LABELS, ORIGIN_LABELS, STATUS_LABELS
from planportal.lib.xlsx_cells import BOLD, XlsxCells, new_sheet


def _d(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(text)


def _scope_heads() -> list[str]:
    return [_("Projects (annex rows)"), _("Total investment planned (万元)"), _("Cooperation funds planned (万元)"),
            _("Local funds planned (万元)"), _("Cooperation funds disbursed (万元)"),
            _("Local funds disbursed (万元)"), _("Cooperation funds disbursed (%)"),
            _("Rows with a disbursement reported"), *(str(label) for label in STATUS_LABELS.values())]


def _scope_cells(cells: XlsxCells, scope: dict, font=None) -> list:
    planned, disbursed = scope["planned"], scope["disbursed"]
    return [
        cells.number(scope["projects"], amount=False, font=font),
        *(cells.number(_d(planned[m]), font=font) for m in ("total_investment", "beijing_funds", "local_funds")),
        *(cells.number(_d(disbursed[m]), font=font) for m in ("beijing_funds", "local_funds")),
        cells.number(_d(scope["disbursed_percent"]["beijing_funds"]), amount=False, font=font),
        cells.number(scope["reported_rows"], amount=False, font=font),
        *(cells.number(scope["status"][key], amount=False, font=font) for key in STATUS_LABELS),
    ]


def _scope_sheet(workbook, title: str, first_heads: list[str], rows: list[tuple[list[str], dict]], total: dict):
    sheet = new_sheet(workbook, title, (14,) * len(first_heads) + (12,) * 12, "B2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(head, font=BOLD) for head in [*first_heads, *_scope_heads()]])
    for labels, scope in rows:
        sheet.append([*(cells.text(label) for label in labels), *_scope_cells(cells, scope)])
    if total is not None:
        sheet.append([cells.text(_("Total"), font=BOLD), *([None] * (len(first_heads) - 1)),
                      *_scope_cells(cells, total, font=BOLD)])


def _overview_sheet(workbook, report: dict):
    sheet = new_sheet(workbook, _("Overview")[:31], (36, 60), "A2")
    cells = XlsxCells(sheet)
    keys = report["key_projects"]
    sheet.append([cells.text(_("Item"), font=BOLD), cells.text(_("Value"), font=BOLD)])
    for label, value in (
        (_("Plan"), report["name"]),
        (_("Code"), report["plan"]),
        (_("Years"), f"{report['first_year']}–{report['last_year']}"),
        (_("County"), report["county"]),
        (_("Partner"), report["partner"]),
        (_("Totals computed"), report["computed_at"] or ""),
        (_("Key projects listed"), keys["listed"]),
        (_("Key projects found in the annex"), keys["found"]),
        (_("Disagreements still open"), report["disagreements_open"]),
    ):
        sheet.append([cells.text(label), cells.value(value)])


def _stated_sheet(workbook, report: dict):
    heads = [_("Year"), _("Category"), _("Figure"), _("Origin"), _("Stated"), _("Unit"), _("Project rows add up to"),
             _("Difference"), _("Check"), _("Source")]
    sheet = new_sheet(workbook, _("Stated figures")[:31], (8, 16, 22, 12, 14, 8, 14, 14, 12, 60), "A2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(head, font=BOLD) for head in heads])
    scopes = [(None, None, report["totals"])]
    scopes += [(y["year"], None, y) for y in report["years"]]
    scopes += [(y["year"], c["category"], c) for y in report["years"] for c in y["categories"]]
    for year, category, scope in scopes:
        for s in scope["stated"]:
            money = s["unit"] == "万元"
            sheet.append([
                cells.number(year, amount=False), cells.text(category or ""), cells.text(s["name"]),
                cells.text(str(ORIGIN_LABELS.get(s["origin"], s["origin"]))),
                cells.number(_d(s["value"]), amount=money), cells.text(s["unit"]),
                cells.number(_d(s["computed"]), amount=money), cells.number(_d(s["difference"]), amount=money),
                cells.text(str(CHECK_LABELS.get(s["status"], s["status"] or ""))), cells.text(s["source"]),
            ])


def _indicator_sheet(workbook, report: dict):
    heads = [_("Indicator"), _("Unit"), _("Target"), _("Target year"), _("Final value"), _("Year of the value"),
             _("Percent of target"), _("Attained"), _("Counted from projects"), _("Evidence"), _("Evidence file"),
             _("Source")]
    sheet = new_sheet(workbook, _("Indicators")[:31], (40, 8, 10, 8, 12, 8, 10, 12, 12, 40, 20, 40), "B2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(head, font=BOLD) for head in heads])
    for row in report["indicators"]:
        sheet.append([
            cells.text(row["name"]), cells.text(row["unit"]), cells.number(_d(row["target"]), amount=False),
            cells.number(row["target_year"], amount=False), cells.number(_d(row["final_value"]), amount=False),
            cells.number(row["final_year"], amount=False), cells.number(_d(row["percent"]), amount=False),
            cells.text(str(ATTAINED_LABELS[row["attained"]])), cells.number(_d(row["derived_value"]), amount=False),
            cells.text(row["evidence_text"]), cells.text(row["evidence_file"] or ""), cells.text(row["source"]),
        ])


def _key_project_sheet(workbook, report: dict):
    heads = [_("Box"), _("Title"), _("Key project"), _("Year(s)"), _("Found in the annex"), _("Missing in"), _("Source")]
    sheet = new_sheet(workbook, _("Key projects")[:31], (6, 30, 40, 14, 10, 14, 30), "C2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(head, font=BOLD) for head in heads])
    for item in report["key_projects"]["items"]:
        sheet.append([
            cells.number(item["column"], amount=False), cells.text(item["title"]), cells.text(item["name"]),
            cells.text("、".join(str(y) for y in item["years"])), cells.text(_("yes") if item["found"] else _("no")),
            cells.text("、".join(str(y) for y in item["missing_years"])), cells.text(item["source"]),
        ])


def _disagreement_sheet(workbook, report: dict):
    heads = [_("Year"), _("Category"), _("Stated"), _("Project rows add up to"), _("Difference"), _("What"),
             _("Source")]
    sheet = new_sheet(workbook, _("Open disagreements")[:31], (8, 16, 14, 14, 14, 70, 50), "A2")
    cells = XlsxCells(sheet)
    sheet.append([cells.text(head, font=BOLD) for head in heads])
    for row in report["disagreements"]:
        money = row["metric"] in ("total_investment", "beijing_funds", "local_funds")
        sheet.append([
            cells.number(row["year"], amount=False), cells.text(row["category"] or ""),
            cells.number(_d(row["stated"]), amount=money), cells.number(_d(row["computed"]), amount=money),
            cells.number(_d(row["difference"]), amount=money), cells.text(row["text"]), cells.text(row["source"]),
        ])


def evaluation_xlsx(report: dict, out, *, lang: str = "zh-hans") -> None:
    """Write the evaluation's tables to `out` (a path or a file-like object)."""
    with translation.override(lang):
        workbook = Workbook(write_only=True)
        _overview_sheet(workbook, report)
        _scope_sheet(workbook, _("By year")[:31], [_("Year")],
                     [([str(y["year"])], y) for y in report["years"]], report["totals"])
        _scope_sheet(workbook, _("By category")[:31], [_("Category")],
                     [([c["category"]], c) for c in report["categories"]], report["totals"])
        _scope_sheet(workbook, _("By year and category")[:31], [_("Year"), _("Category")],
                     [([str(y["year"]), c["category"]], c) for y in report["years"] for c in y["categories"]],
                     None)
        _stated_sheet(workbook, report)
        _indicator_sheet(workbook, report)
        _key_project_sheet(workbook, report)
        _disagreement_sheet(workbook, report)
        workbook.save(out)
