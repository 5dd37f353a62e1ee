#!/usr/bin/env python3
"""Write the bundled fixtures of the seed plan: annex.xlsx and stated_figures.json.

    python tools/build_bundled_fixtures.py [--seed PATH] [--out DIR] [--findings]

annex.xlsx is the plan's annex (附表) as a workbook, one sheet per year, laid out like the
document so that the spreadsheet importer can be exercised on it:

    row 1  the table title, merged across all columns
    row 2  "单位：万元" in the last column (where the document puts it)
    row 3  the header row, each table's header text exactly as written
    row 4… the 合计 row, then each category's subtotal row followed by its project rows,
           in document order. The document's all-blank row between header and 合计 is
           left out, so data always starts on row 4 (annex_stated's row numbers rely on it).

Total/subtotal rows carry their label in column A, merged over the columns before 项目总投资,
as the document's merged cells do. Amount cells are numbers (int when integral) unless the
document has text there; 序号 and 实施年度 are ints when they are plain digits; a blank cell
stays empty, never 0.

stated_figures.json holds every figure the plan states (chapter 2 targets, 专栏1 indicators,
专栏2–26 key project lists, the annex's 合计/subtotal rows), transcribed as written.
Regenerating is byte-identical for the JSON; the workbook is compared by cell values
(openpyxl embeds timestamps).
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "000_a6106caa575fc814.txt"
DEFAULT_OUT = REPO / "fixtures" / "keyouzhongqi-2021-2025"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# The parser of the plan document is build-time code: it lives here in tools/, not in the
# runtime library, and needs only the standard library (so a bare venv with openpyxl builds).
from tools import seed_document  # noqa: E402

# Column widths by header field, in Excel character units; long-text columns get more room.
WIDTHS = {
    "seq": 6, "name": 28, "nature": 9, "place": 20, "year": 8, "category": 12,
    "content": 60, "total_investment": 12, "beijing_funds": 12, "local_funds": 12,
    "use": 36, "unit": 20,
}
# Fixed workbook timestamps: the properties then never differ between two builds.
FIXED_TIME = datetime.datetime(2021, 1, 1)


def _cell_value(field: str | None, text: str | None):
    if text is None:
        return None
    if field in seed_document.AMOUNT_FIELDS:
        number = seed_document.as_number(text)
        if number is None:
            return text                 # not a number in the document: keep the text
        return int(number) if "." not in number else float(number)
    if field in ("seq", "year") and text.strip().isdigit():
        return int(text.strip())
    return text


def write_workbook(tables, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in tables:
        ws = wb.create_sheet(table.sheet)
        width = len(table.header)
        last = get_column_letter(width)
        ws.cell(seed_document.XLSX_TITLE_ROW, 1, table.title).font = Font(bold=True, size=14)
        ws.merge_cells(f"A{seed_document.XLSX_TITLE_ROW}:{last}{seed_document.XLSX_TITLE_ROW}")
        ws.cell(seed_document.XLSX_TITLE_ROW, 1).alignment = Alignment(horizontal="center")
        if table.unit_text is not None:
            ws.cell(seed_document.XLSX_UNIT_ROW, width, table.unit_text)
        for col, text in enumerate(table.header, start=1):
            cell = ws.cell(seed_document.XLSX_HEADER_ROW, col, text)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        first_amount = table.fields.index("total_investment") + 1
        for offset, row in enumerate(table.rows):
            r = seed_document.XLSX_FIRST_DATA_ROW + offset
            for col, (field, text) in enumerate(zip(table.fields, row.values), start=1):
                value = _cell_value(field, text)
                if value is not None:
                    ws.cell(r, col, value)
                ws.cell(r, col).alignment = wrap
            if row.kind != "project":
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=first_amount - 1)
                ws.cell(r, 1).font = Font(bold=True)
        for col, field in enumerate(table.fields, start=1):
            ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(field, 14)
        ws.freeze_panes = ws.cell(seed_document.XLSX_FIRST_DATA_ROW, 1).coordinate
    wb.properties.creator = "tools/build_bundled_fixtures.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(path)


def render_json(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=1) + "\n"


def build(seed: Path, out: Path):
    """Parse the seed and write both fixtures into out; returns (document, annex tables)."""
    doc = seed_document.load_seed(seed)
    tables = seed_document.parse_annex(doc)
    figures = seed_document.build_stated_figures(doc, tables)
    out.mkdir(parents=True, exist_ok=True)
    write_workbook(tables, out / "annex.xlsx")
    (out / "stated_figures.json").write_text(render_json(figures), encoding="utf-8")
    return doc, tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--findings", action="store_true",
                        help="also list where stated figures disagree with rows or each other")
    args = parser.parse_args(argv)
    doc, tables = build(args.seed, args.out)
    for t in tables:
        counts = {}
        for p in t.projects():
            counts[p.category] = counts.get(p.category, 0) + 1
        print(f"{t.sheet}: {len(t.projects())} project rows  "
              + ", ".join(f"{k} {v}" for k, v in counts.items()))
    findings = seed_document.reconcile(doc, tables)
    print(f"wrote {args.out / 'annex.xlsx'} and {args.out / 'stated_figures.json'}; "
          f"{len(findings)} disagreements in the document (--findings lists them)")
    if args.findings:
        for f in findings:
            print(json.dumps(f, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
