"""The portfolio as an xlsx workbook: one sheet of plans, one of plan years, with the page's figures.

Streams: plans are read a chunk at a time (each chunk the same five set-based queries as a page,
portfolio.queries.plan_rows) and openpyxl's write-only mode sends each row to a temporary file, so a
thousand plans cost no more memory than a hundred.
"""

from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook

from plans.models import PlanYear
from planportal.lib.xlsx_cells import BOLD, HEADER_ALIGN, XlsxCells, new_sheet
from portfolio.queries import plan_rows

CHUNK = 200


def _plan_headers():
    return (_("Partner district"), _("County (banner)"), _("Plan code"), _("Plan"), _("First year"),
            _("Last year"), _("Period"), _("Closed on"), _("Yearly project rows"), _("Total investment (万元)"),
            _("Cooperation funds (万元)"), _("Local funds (万元)"), _("Cooperation funds disbursed (万元)"),
            _("Local funds disbursed (万元)"), _("Disbursed of planned funds (%)"), _("Years approved"),
            _("Years"), _("Open disagreements"), _("Indicators attained"), _("Indicators with a value"),
            _("Indicators"))


def _year_headers():
    return (_("Partner district"), _("County (banner)"), _("Plan code"), _("Year"), _("Review status"),
            _("Yearly project rows"), _("Total investment (万元)"), _("Cooperation funds (万元)"),
            _("Local funds (万元)"), _("Cooperation funds disbursed (万元)"), _("Local funds disbursed (万元)"))


def _money(cells, money):
    if money is None:
        return [None] * 6
    return [cells.number(money.projects, amount=False), cells.number(money.total_investment),
            cells.number(money.beijing_funds), cells.number(money.local_funds),
            cells.number(money.actual_beijing_funds), cells.number(money.actual_local_funds)]


def portfolio_xlsx(*, plans, out, today: date) -> None:
    """Write every plan of the queryset `plans` (already narrowed to what the user may see) into `out`."""
    workbook = Workbook(write_only=True)
    plan_sheet = new_sheet(workbook, _("Plans"), (12, 12, 22, 30, 8, 8, 10, 12, 10, 14, 14, 14, 14, 14, 10, 8, 6,
                                                   10, 10, 10, 8), "E2")
    year_sheet = new_sheet(workbook, _("Plan years"), (12, 12, 22, 6, 16, 10, 14, 14, 14, 14, 14), "E2")
    plan_cells, year_cells = XlsxCells(plan_sheet), XlsxCells(year_sheet)
    plan_sheet.append([plan_cells.text(h, font=BOLD, alignment=HEADER_ALIGN) for h in _plan_headers()])
    year_sheet.append([year_cells.text(h, font=BOLD, alignment=HEADER_ALIGN) for h in _year_headers()])
    ids = list(plans.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(plans.model.objects.filter(pk__in=ids[start:start + CHUNK])
                     .select_related("recompute_state").order_by("partner", "county", "first_year", "code"))
        for row in plan_rows(chunk, today):
            plan, c = row.plan, plan_cells
            percent = row.money.disbursed_percent if row.money else None
            plan_sheet.append([
                c.text(plan.partner), c.text(plan.county), c.text(plan.code), c.text(plan.name),
                c.number(plan.first_year, amount=False), c.number(plan.last_year, amount=False),
                c.text(str(row.period_label)), c.text(plan.closed_at.date().isoformat() if plan.closed_at else None),
                *_money(c, row.money), c.number(percent, amount=False),
                c.number(row.years_approved, amount=False), c.number(len(row.years), amount=False),
                c.number(row.disagreements_open, amount=False), c.number(row.indicators.attained, amount=False),
                c.number(row.indicators.reported, amount=False), c.number(row.indicators.total, amount=False),
            ])
            for cell in row.years:
                y = year_cells
                year_sheet.append([
                    y.text(plan.partner), y.text(plan.county), y.text(plan.code), y.number(cell.year, amount=False),
                    y.text(str(PlanYear.Review(cell.status).label)), *_money(y, cell.money),
                ])
    workbook.save(out)
