"""Parse the seed plan document (a text rendering of a Word file) into the figures it states.

Pure standard library on purpose: the fixture builder and its tests run without Django, and
the importers can reuse the same functions inside the app.

The rendering's table convention, as observed in the seed:

* a line starting with TAB starts a new cell; a line without TAB continues the previous cell;
* one blank line between TAB lines separates table rows;
* a blank line followed by a non-TAB line is an empty paragraph *inside* a cell (the cell
  goes on), so the blank line is kept as an empty line of that cell;
* two or more blank lines end the table (the annex tables and the 专栏 boxes are separated
  from the body text and from each other this way).

Everything is transcribed as written: the parser never corrects a number, a name, a label or
a spacing quirk. Checks (row sums against stated totals, narrative against annex) live in
`reconcile`, which reports and does not change anything.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

# Annex categories (项目类别) as the annex spells them; other spellings map here.
ANNEX_CATEGORIES = (
    "基础设施类", "产业合作类", "人才培训类", "劳务协作类", "消费帮扶类",
    "乡村振兴类", "社会事业类", "乡村旅游类", "万企兴万村类",
)
# The 专栏 boxes say 产业协作类 where the annex says 产业合作类.
CATEGORY_ALIASES = {"产业协作类": "产业合作类"}

ATTRIBUTES = {"约束性": "binding", "预期性": "expected"}
NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
DIGITS = "0123456789一二三四五六七八九十"


def normalise_category(text: str | None) -> str | None:
    """Map a category as written ("社会事业类 ", "万企兴万村", "产业协作类") to the annex name."""
    if text is None:
        return None
    compact = re.sub(r"\s+", "", text)
    compact = CATEGORY_ALIASES.get(compact, compact)
    if compact in ANNEX_CATEGORIES:
        return compact
    # Subtotal labels sometimes drop the trailing 类 ("万企兴万村1个").
    if compact + "类" in ANNEX_CATEGORIES:
        return compact + "类"
    return None


def as_number(text: str | None) -> str | None:
    """The decimal string of an amount cell, or None when the cell is not a plain number."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped if NUMBER_RE.match(stripped) else None


# --- Generic table layer -----------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    line: int                 # 1-based seed line of the TAB line that opened the cell
    lines: tuple[str, ...]    # the cell's lines, TAB removed, inner empty lines kept

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def value(self) -> str | None:
        """Cell text; a visually empty cell is None (never 0, never "")."""
        return None if self.text.strip() == "" else self.text


@dataclass
class Row:
    line: int
    cells: list[Cell] = field(default_factory=list)

    def values(self) -> list[str | None]:
        return [c.value for c in self.cells]


@dataclass
class Table:
    line: int
    rows: list[Row] = field(default_factory=list)

    @property
    def last_line(self) -> int:
        last = self.rows[-1].cells[-1]
        return last.line + len(last.lines) - 1


def split_tables(lines: list[str]) -> list[Table]:
    """Group the TAB-rendered table lines of the whole document into tables, rows and cells."""
    tables: list[Table] = []
    table: Table | None = None
    row: Row | None = None
    cell_lines: list[str] | None = None
    cell_start = 0
    blanks = 0

    def close_cell() -> None:
        nonlocal cell_lines
        if cell_lines is not None and row is not None:
            row.cells.append(Cell(cell_start, tuple(cell_lines)))
        cell_lines = None

    for number, text in enumerate(lines, start=1):
        if text == "":
            blanks += 1
            if blanks >= 2 and table is not None:
                close_cell()
                table, row = None, None
            continue
        if text.startswith("\t"):
            close_cell()
            if table is None:
                table = Table(number)
                tables.append(table)
            if row is None or blanks:
                row = Row(number)
                table.rows.append(row)
            cell_lines, cell_start = [text[1:]], number
        elif cell_lines is not None:
            # Continuation of the open cell; a single blank line before it is an empty
            # paragraph inside the cell, not a row break (see module docstring).
            cell_lines.extend([""] * blanks)
            cell_lines.append(text)
        else:
            table, row = None, None     # body text outside any table
        blanks = 0
    close_cell()
    return tables


# --- Document and headings ---------------------------------------------------------------

@dataclass
class SeedDocument:
    lines: list[str]
    sha256: str
    tables: list[Table]

    def line(self, number: int) -> str:
        return self.lines[number - 1]


def load_seed(path: str | Path) -> SeedDocument:
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8")
    lines = text.split("\n")
    return SeedDocument(lines, hashlib.sha256(raw).hexdigest(), split_tables(lines))


CHAPTER_RE = re.compile(rf"^第[{DIGITS}]+章\s*\S")
SECTION_RE = re.compile(rf"^第[{DIGITS}]+节\s*\S")
SUBSECTION_RE = re.compile(r"^[一二三四五六七八九十]+、\S")


def body_paragraphs(doc: SeedDocument):
    """Yield (line, text, headings) for each body line outside tables.

    headings is the chapter / section / subsection in force, as written in the document,
    so that every extracted figure can cite where it came from.
    """
    covered = {n for t in doc.tables for n in range(t.line, t.last_line + 1)}
    chapter = section = subsection = None
    for number, text in enumerate(doc.lines, start=1):
        if not text.strip() or number in covered:
            continue
        if CHAPTER_RE.match(text):
            chapter, section, subsection = text, None, None
        elif SECTION_RE.match(text):
            section, subsection = text, None
        elif SUBSECTION_RE.match(text) and len(text) < 40:
            subsection = text
        yield number, text, {"chapter": chapter, "section": section, "subsection": subsection}


# --- Chapter 2 targets (发展目标) ------------------------------------------------------------
# (key, pattern, unit): the number is group "v"; an optional group "q" catches 以上.
TARGET_PATTERNS = [
    ("projects", r"完成协作项目(?P<v>\d+)个", "个"),
    ("beijing_funds", r"京蒙协作资金总投资预计达(?P<v>\d+(?:\.\d+)?)万元", "万元"),
    ("enterprises_introduced", r"引进北京落地企业(?P<v>\d+)家", "家"),
    ("jobs_created", r"带动(?P<v>\d+)人(?P<q>以上)?就业", "人"),
    ("labour_transfer", r"转移贫困劳动人口稳定在京就业(?P<v>\d+)人(?P<q>以上)?", "人"),
    ("talent_exchanges", r"开展专业技术人才交流(?P<v>\d+)人次(?P<q>以上)?", "人次"),
    ("technologies_introduced", r"引进技术(?P<v>\d+)项", "项"),
    ("local_organisations", r"培育(?P<v>\d+)家带贫减贫作用强的本地合作组织和龙头企业", "家"),
    ("supply_bases", r"共建(?P<v>\d+)个优质有机绿色农畜产品供应基地", "个"),
    ("five_good_gacha", r"“五好”嘎查(?P<v>\d+)个", "个"),
    ("five_beauty_gacha", r"“五美”人居环境嘎查(?P<v>\d+)个", "个"),
    ("tourism_demo_gacha", r"旅游示范嘎查(?P<v>\d+)个", "个"),
    ("reception_points", r"接待点（农家乐、牧家乐）(?P<v>\d+)个", "个"),
    ("consolidation_gacha", r"(?P<v>\d+)个巩固成果嘎查", "个"),
    ("revitalisation_model_gacha", r"(?P<v>\d+)个乡村振兴嘎查典型", "个"),
    ("expansion_gacha", r"(?P<v>\d+)个拓展成果嘎查", "个"),
]
# "产业合作类项目7个，京蒙协作资金投入1720万元" – the narrative also writes "京蒙协作资980万元"
# (missing 金), so 金 and 投入 are optional.
CATEGORY_CLAUSE_RE = re.compile(
    r"(?P<cat>[^，；。]+?类)项目(?P<n>\d+)个，京蒙协作资金?(?:投入)?(?P<f>\d+(?:\.\d+)?)万元"
)
TARGET_PARAGRAPH_RE = re.compile(r"完成协作项目\d+个")
YEAR_PARAGRAPH_RE = re.compile(r"^(?P<y>20\d\d)年，")


def _target(key, year, category_text, value, unit, qualifier, number, heads, quote):
    return {
        "key": key, "year": year,
        "category": normalise_category(category_text), "category_text": category_text,
        "value": value, "unit": unit, "qualifier": qualifier,
        "source": {"chapter": heads["chapter"], "section": heads["section"],
                   "subsection": heads["subsection"], "line": number, "quote": quote},
    }


def parse_targets(doc: SeedDocument) -> list[dict]:
    """Every figure of the five-year and yearly target paragraphs, in document order.

    A target paragraph is any body line stating "完成协作项目N个"; it is a yearly one when
    it starts with "20XX年，". Each figure quotes the exact phrase it was read from.
    """
    out: list[dict] = []
    for number, text, heads in body_paragraphs(doc):
        if not TARGET_PARAGRAPH_RE.search(text):
            continue
        year_match = YEAR_PARAGRAPH_RE.match(text)
        year = int(year_match["y"]) if year_match else None
        found = []
        for key, pattern, unit in TARGET_PATTERNS:
            for m in re.finditer(pattern, text):
                qualifier = "at_least" if m.groupdict().get("q") else None
                found.append((m.start(), _target(key, year, None, m["v"], unit, qualifier,
                                                 number, heads, m.group(0))))
        for m in CATEGORY_CLAUSE_RE.finditer(text):
            cat = m["cat"]
            start = m.start("cat")
            if cat.startswith("其中"):      # first clause follows "其中"
                cat, start = cat[2:], start + 2
            quote = text[start:m.end()]
            found.append((start, _target("projects", year, cat, m["n"], "个", None,
                                         number, heads, quote)))
            found.append((start + 0.5, _target("beijing_funds", year, cat, m["f"], "万元",
                                               None, number, heads, quote)))
        out.extend(t for _, t in sorted(found, key=lambda pair: pair[0]))
    return out


# --- 专栏1 indicators and 专栏2–26 key projects ----------------------------------------------
BOX_TITLE_RE = re.compile(r"^专栏(?P<n>\d+)[：:](?P<title>.+)$")
BOX_YEARS_RE = re.compile(r"^(?P<a>20\d\d)(?:\s*[-—–~至]\s*(?P<b>20\d\d))?年")
BOX_FIELD_RE = re.compile(r"年(?P<field>[^年]+?类)")
# An item line: "· name；". Other list markers are accepted so a sibling document that
# numbers its items ("1、", "（1）") parses the same way.
ITEM_RE = re.compile(r"^\s*(?:[·•●▪◆]|\d+[、.．]|[（(]\d+[）)])\s*(?P<name>.*?)\s*$")
ITEM_END = "；;。，,、"


def _boxes(doc: SeedDocument):
    """Yield (number, title, title_cell, content_rows) for every 专栏 in the document."""
    for table in doc.tables:
        current = None
        for row in table.rows:
            first = row.cells[0]
            m = BOX_TITLE_RE.match(first.text.strip()) if len(row.cells) == 1 else None
            if m:
                if current:
                    yield current
                current = (int(m["n"]), m["title"].strip(), first, [])
            elif current:
                current[3].append(row)
        if current:
            yield current


def parse_indicators(doc: SeedDocument) -> list[dict]:
    """专栏1: seq, name, unit, target and attribute of the plan's main indicators."""
    for number, _title, _cell, rows in _boxes(doc):
        if number != 1:
            continue
        header = [c.text.strip() for c in rows[0].cells]
        col = {name: i for i, name in enumerate(header)}
        target_col = next(i for i, h in enumerate(header) if re.match(r"^20\d\d年$", h))
        out = []
        for row in rows[1:]:
            cells = row.cells
            name_cell = cells[col["指标"]]
            # The first name wraps inside its cell (with an empty paragraph between the
            # halves); the break is layout, not text, so the lines join with nothing.
            name = "".join(part.strip() for part in name_cell.lines if part.strip())
            unit_text = cells[col["单位"]].text.strip()
            attribute_text = cells[col["属性"]].text.strip()
            out.append({
                "seq": int(cells[col["序号"]].text.strip()),
                "name": name,
                "unit_text": unit_text,
                "unit": re.sub(r"^[（(](.*)[）)]$", r"\1", unit_text),
                "target_year": int(header[target_col][:4]),
                # A non-numeric target would be kept as written rather than dropped.
                "target": as_number(cells[target_col].text) or cells[target_col].value,
                "attribute_text": attribute_text,
                "attribute": ATTRIBUTES.get(attribute_text),
                "line": cells[0].line,
            })
        return out
    return []


def parse_key_projects(doc: SeedDocument) -> list[dict]:
    """专栏2 onwards: years, field and the project names listed in each box."""
    out = []
    for number, title, title_cell, rows in _boxes(doc):
        if number == 1:
            continue
        ym = BOX_YEARS_RE.match(title)
        years = []
        if ym:
            first = int(ym["a"])
            years = list(range(first, int(ym["b"] or first) + 1))
        fm = BOX_FIELD_RE.search(title)
        field_text = fm["field"] if fm else None
        projects = []
        for row in rows:
            for cell in row.cells:
                for offset, text in enumerate(cell.lines):
                    m = ITEM_RE.match(text)
                    if not m or not m["name"]:
                        continue
                    # The trailing list punctuation (；/。) is not part of the name;
                    # everything else, inner spaces included, is kept as written.
                    projects.append({"name": m["name"].rstrip(ITEM_END).rstrip(),
                                     "line": cell.line + offset})
        out.append({
            "column": number, "title": title, "years": years,
            "field": field_text, "category": normalise_category(field_text),
            "line": title_cell.line, "projects": projects,
        })
    return out


# --- Annex (附表) --------------------------------------------------------------------------
ANNEX_TITLE_RE = re.compile(r"(?P<y>20\d\d)年.*(?:统计表|项目表|需求表)")
COUNT_LABEL_RE = re.compile(r"^(?P<name>.*?)\s*(?P<n>\d+)\s*个\s*$")
# Header texts differ between tables ("项目总投资（万元）", "建设\n性质（新建/续建）"); the
# field is recognised on the text with whitespace and the bracketed unit removed.
HEADER_FIELDS = [
    ("seq", "序号"), ("name", "项目名称"), ("nature", "建设性质"), ("place", "项目建设地点"),
    ("year", "实施年度"), ("category", "项目类别"), ("content", "建设规模"),
    ("total_investment", "项目总投资"), ("beijing_funds", "京蒙资金"),
    ("local_funds", "地方自筹"), ("use", "京蒙协作资金主要用途"), ("unit", "项目实施单位"),
]
AMOUNT_FIELDS = ("total_investment", "beijing_funds", "local_funds")


def header_field(text: str) -> str | None:
    compact = re.sub(r"[（(][^）)]*[）)]|\s+", "", text)
    for key, prefix in HEADER_FIELDS:
        if compact.startswith(prefix):
            return key
    return None


@dataclass
class AnnexRow:
    kind: str                        # "total" | "subtotal" | "project"
    line: int                        # seed line of the row's first cell
    values: list[str | None]         # one per header column, document text (None = blank)
    category: str | None             # annex category the row belongs to
    label: str | None = None         # total/subtotal label as written
    count: int | None = None         # count stated in the label

    def get(self, fields: list[str | None], key: str) -> str | None:
        return self.values[fields.index(key)] if key in fields else None


@dataclass
class AnnexTable:
    year: int
    title: str
    title_line: int
    unit_text: str | None
    header: list[str]                # exact header texts
    header_line: int
    fields: list[str | None]         # header_field() of each column
    rows: list[AnnexRow]
    skipped_blank_rows: list[int]    # seed lines of all-blank rows left out

    @property
    def sheet(self) -> str:
        return f"{self.year}年"

    def projects(self) -> list[AnnexRow]:
        return [r for r in self.rows if r.kind == "project"]


def _spread_short_row(values: list[str | None], width: int, first_amount: int) -> list:
    """A total/subtotal row has merged cells: label, then the amount columns onwards."""
    out: list[str | None] = [None] * width
    out[0] = values[0]
    rest = values[1:]
    if first_amount + len(rest) > width:
        raise ValueError(f"short row with {len(values)} cells does not fit the header")
    out[first_amount:first_amount + len(rest)] = rest
    return out


def _annex_title(row: Row) -> re.Match | None:
    return ANNEX_TITLE_RE.search(row.cells[0].text) if len(row.cells) == 1 else None


def _annex_table(rows: list[Row]) -> AnnexTable:
    title_cell = rows[0].cells[0]
    m = _annex_title(rows[0])
    unit_text, header_row, body_start = None, None, 1
    for i, row in enumerate(rows[1:], start=1):
        texts = [c.text for c in row.cells]
        if any(t.strip().startswith("单位") for t in texts):
            unit_text = next(t.strip() for t in texts if t.strip().startswith("单位"))
        elif any(t.strip() == "序号" for t in texts):
            header_row, body_start = row, i + 1
            break
    if header_row is None:
        raise ValueError(f"annex table at line {title_cell.line}: no header row")
    header = [c.text for c in header_row.cells]
    fields = [header_field(h) for h in header]
    width = len(header)
    first_amount = fields.index("total_investment")
    out_rows: list[AnnexRow] = []
    skipped: list[int] = []
    category = None
    for row in rows[body_start:]:
        values = row.values()
        if all(v is None for v in values):
            skipped.append(row.line)
            continue
        if len(values) < width:
            label = values[0] or ""
            lm = COUNT_LABEL_RE.match(label.strip())
            if "合计" in label:
                kind, row_category = "total", None
            elif lm:
                kind = "subtotal"
                category = row_category = normalise_category(lm["name"]) or lm["name"].strip()
            else:
                raise ValueError(f"line {row.line}: short row is neither total nor subtotal")
            out_rows.append(AnnexRow(kind, row.line, _spread_short_row(values, width, first_amount),
                                     row_category, label, int(lm["n"]) if lm else None))
        elif len(values) == width:
            out_rows.append(AnnexRow("project", row.line, values, category))
        else:
            raise ValueError(f"line {row.line}: {len(values)} cells for {width} columns")
    return AnnexTable(int(m["y"]), title_cell.text.strip(), title_cell.line, unit_text,
                      header, header_row.line, fields, out_rows, skipped)


def parse_annex(doc: SeedDocument) -> list[AnnexTable]:
    """One AnnexTable per yearly title row.

    A yearly table is cut at its title row rather than at the rendering's table boundary:
    in the seed the 2024 table follows the 2023 one after a single blank line, so the
    renderer's grouping alone would glue them together.
    """
    out = []
    for table in doc.tables:
        segment: list[Row] | None = None
        for row in table.rows:
            if _annex_title(row):
                if segment:
                    out.append(_annex_table(segment))
                segment = [row]
            elif segment is not None:
                segment.append(row)
        if segment:
            out.append(_annex_table(segment))
    return out


# Row numbering of the workbook, shared by the writer and annex_stated so both agree.
XLSX_TITLE_ROW, XLSX_UNIT_ROW, XLSX_HEADER_ROW, XLSX_FIRST_DATA_ROW = 1, 2, 3, 4


def annex_stated(tables: list[AnnexTable]) -> list[dict]:
    """The total and subtotal rows: the figures the annex states rather than lists."""
    out = []
    for t in tables:
        for offset, row in enumerate(t.rows):
            if row.kind == "project":
                continue
            out.append({
                "year": t.year, "sheet": t.sheet, "row": XLSX_FIRST_DATA_ROW + offset,
                "kind": row.kind, "label": row.label, "category": row.category,
                "count": row.count,
                **{k: row.get(t.fields, k) for k in AMOUNT_FIELDS},
                "seed_line": row.line,
            })
    return out


# --- Whole document and checks -----------------------------------------------------------

def plan_name(doc: SeedDocument) -> str:
    """The plan's own name, taken from the title of its indicator box (专栏1)."""
    for number, title, _cell, _rows in _boxes(doc):
        if number == 1:
            return re.sub(r"主要指标$", "", title)
    raise ValueError("no 专栏1 in the document")


def build_stated_figures(doc: SeedDocument, annex: list[AnnexTable] | None = None) -> dict:
    annex = parse_annex(doc) if annex is None else annex
    years = sorted(t.year for t in annex)
    return {
        "plan": {
            "code": "keyouzhongqi-2021-2025", "name": plan_name(doc), "county": "科右中旗",
            "partner": "海淀区", "first_year": years[0], "last_year": years[-1],
            "unit": "万元", "seed_sha256": doc.sha256,
        },
        "targets": parse_targets(doc),
        "indicators": parse_indicators(doc),
        "key_projects": parse_key_projects(doc),
        "annex_stated": annex_stated(annex),
    }


def _sum(values) -> Decimal:
    """Sum of the numeric cells; blank cells count as nothing (an all-blank column is 0)."""
    return sum((Decimal(v) for v in (as_number(x) for x in values) if v is not None), Decimal(0))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def reconcile(doc: SeedDocument, annex: list[AnnexTable] | None = None) -> list[dict]:
    """Where stated figures disagree with the rows or with each other. Reports, never fixes.

    Each finding names the check, year, category, the stated figure as written, the value
    it was compared with, and the seed line of the stated figure. Amounts compare as
    decimals with blank cells counting 0, so a stated "0" over blank rows is no finding.
    """
    annex = parse_annex(doc) if annex is None else annex
    findings: list[dict] = []

    def add(check, year, category, stated, actual, line, **extra):
        same = (stated == actual if not isinstance(actual, Decimal)
                else as_number(stated) is not None and Decimal(as_number(stated)) == actual
                or stated is None and actual == 0)
        if not same:
            shown = _fmt(actual) if isinstance(actual, Decimal) else actual
            findings.append({"check": check, "year": year, "category": category,
                             "stated": stated, "actual": shown, "line": line, **extra})

    for t in annex:
        projects = t.projects()
        subtotals = [r for r in t.rows if r.kind == "subtotal"]
        for row in t.rows:
            if row.kind == "project":
                continue
            members = projects if row.kind == "total" else [p for p in projects if p.category == row.category]
            add(f"annex {row.kind} count vs rows", t.year, row.category, row.count, len(members), row.line)
            for k in AMOUNT_FIELDS:
                add(f"annex {row.kind} {k} vs rows", t.year, row.category, row.get(t.fields, k),
                    _sum(p.get(t.fields, k) for p in members), row.line)
            if row.kind == "total":
                add("annex total count vs subtotal labels", t.year, None, row.count,
                    sum(r.count for r in subtotals), row.line)
                for k in AMOUNT_FIELDS:
                    add(f"annex total {k} vs subtotal rows", t.year, None, row.get(t.fields, k),
                        _sum(r.get(t.fields, k) for r in subtotals), row.line)
        for p in projects:
            add("project 项目类别 vs its subtotal", t.year, p.category,
                normalise_category(p.get(t.fields, "category")), p.category, p.line)
            add("project 实施年度 vs table year", t.year, p.category,
                (p.get(t.fields, "year") or "").strip(), str(t.year), p.line)
            for k in AMOUNT_FIELDS:
                v = p.get(t.fields, k)
                if v is not None and as_number(v) is None:
                    add(f"project {k} not a number", t.year, p.category, v, None, p.line)

    by_year = {t.year: t for t in annex}
    targets = parse_targets(doc)
    for tg in targets:
        t = by_year.get(tg["year"])
        if t is None or tg["key"] not in ("projects", "beijing_funds"):
            continue
        cat, line, src = tg["category"], tg["source"]["line"], {"quote": tg["source"]["quote"]}
        members = [p for p in t.projects() if cat is None or p.category == cat]
        # The year's 合计 row for a year figure, the category's subtotal row(s) otherwise.
        stated_rows = [r for r in t.rows if r.kind == ("total" if cat is None else "subtotal")
                       and r.category == cat]
        if tg["key"] == "projects":
            value, of_rows, of_row = int(tg["value"]), len(members), (lambda r: r.count)
        else:
            value = tg["value"]
            of_rows = _sum(p.get(t.fields, "beijing_funds") for p in members)
            of_row = lambda r: _sum([r.get(t.fields, "beijing_funds")])  # noqa: E731
        add(f"narrative {tg['key']} vs annex rows", tg["year"], cat, value, of_rows, line, **src)
        for r in stated_rows:
            add(f"narrative {tg['key']} vs annex stated row", tg["year"], cat, value, of_row(r),
                line, annex_line=r.line, **src)
        if not stated_rows:
            add("narrative category missing from annex", tg["year"], cat, value, None, line, **src)
    # Within the narrative: a year's category clauses against that year's totals, and the
    # five-year figures against the sum of the years.
    for tg in targets:
        if tg["category"] is not None:
            continue
        if tg["year"] is not None and tg["key"] in ("projects", "beijing_funds"):
            parts = [x for x in targets if x["year"] == tg["year"] and x["key"] == tg["key"]
                     and x["category"] is not None]
            if parts:
                add(f"narrative {tg['key']} vs its category clauses", tg["year"], None, tg["value"],
                    sum((Decimal(x["value"]) for x in parts), Decimal(0)), tg["source"]["line"])
        if tg["year"] is None:
            yearly = [x for x in targets if x["year"] is not None and x["key"] == tg["key"]
                      and x["category"] is None]
            if yearly:
                add(f"five-year {tg['key']} vs sum of years", None, None, tg["value"],
                    sum((Decimal(x["value"]) for x in yearly), Decimal(0)), tg["source"]["line"])
    # 专栏 key projects should be annex projects of the same year (same name).
    for box in parse_key_projects(doc):
        for year in box["years"]:
            t = by_year.get(year)
            if t is None:
                continue
            named = {p.get(t.fields, "name"): p for p in t.projects()}
            for item in box["projects"]:
                hit = named.get(item["name"])
                if hit is None:
                    add(f"专栏{box['column']} project not in annex", year, box["category"],
                        item["name"], None, item["line"])
                else:
                    add(f"专栏{box['column']} project category vs annex", year, box["category"],
                        box["category"], hit.category, item["line"], name=item["name"])
    return findings
