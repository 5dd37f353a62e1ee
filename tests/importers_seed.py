"""An independent reading of the plan document's annex, for checking the importer against.

Deliberately not planportal.lib.seed_document: the test must not trust the code
that produced the fixture. Here a cell is a line starting with a tab (continuation
lines are ignored), and a project row is recognised by its shape: a serial number,
then four cells on, a year; five on, a category ending in 类.
"""

import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_a6106caa575fc814.txt"
_CATEGORY = re.compile(r".+类$")


def _amount(text: str) -> Decimal:
    text = text.strip()
    return Decimal(text) if text else Decimal(0)


def annex_rows() -> list[dict]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("附表"))
    cells = [line[1:] for line in lines[start:] if line.startswith("\t")]
    rows = []
    for i in range(len(cells) - 11):
        serial, year, category = cells[i].strip(), cells[i + 4].strip(), cells[i + 5].strip()
        if serial.isdigit() and re.fullmatch(r"20\d\d", year) and _CATEGORY.fullmatch(category):
            rows.append({
                "name": cells[i + 1].strip(),
                "year": int(year),
                "category": category,
                "total": _amount(cells[i + 7]),
                "beijing": _amount(cells[i + 8]),
                "local": _amount(cells[i + 9]),
            })
    return rows


def expected_counts_and_sums():
    rows = annex_rows()
    counts = Counter((r["year"], r["category"]) for r in rows)
    sums = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for r in rows:
        for i, key in enumerate(("total", "beijing", "local")):
            sums[(r["year"], r["category"])][i] += r[key]
    return rows, counts, sums
