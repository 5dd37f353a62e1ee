"""Finding an annex table in a sheet: which row is the header, which column is which, which year.

Columns are found by their header text, never by position: header text varies
between tables ("项目总投资（万元）", "项目总投资    （万元）", "建设\n性质（新建/续建）"),
columns may come in another order, and a flat export adds columns of its own.
Pure module: no Django.
"""

import re
from dataclasses import dataclass

from planportal.lib.names import normalize_text


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header a person would write; used in messages
    patterns: tuple[str, ...]  # header text fragments, after _header_text()


COLUMNS: tuple[Column, ...] = (
    Column("serial", "序号", ("序号", "编号")),
    Column("name", "项目名称", ("项目名称", "名称")),
    Column("nature", "建设性质", ("建设性质", "性质")),
    Column("location", "项目建设地点", ("项目建设地点", "建设地点", "实施地点", "地点")),
    Column("year", "实施年度", ("实施年度", "年度", "年份")),
    Column("category", "项目类别", ("项目类别", "类别")),
    Column("content", "建设规模和建设内容", ("建设规模和建设内容", "建设内容", "建设规模", "项目内容")),
    Column("total", "项目总投资", ("项目总投资", "总投资")),
    Column("beijing", "京蒙资金", ("京蒙资金", "京蒙协作资金", "京蒙帮扶资金", "协作资金", "帮扶资金")),
    Column("local", "地方自筹资金", ("地方自筹资金", "自筹资金", "地方自筹", "地方配套资金")),
    Column("use", "京蒙协作资金主要用途", ("京蒙协作资金主要用途", "资金主要用途", "主要用途", "用途")),
    Column("unit", "项目实施单位", ("项目实施单位", "实施单位", "责任单位", "建设单位")),
    # Columns of the flat export (one row per budget, several years in one sheet).
    Column("actual_beijing", "京蒙资金实际拨付", ("京蒙资金实际拨付", "京蒙资金实际", "实际拨付京蒙资金")),
    Column("actual_local", "地方自筹实际拨付", ("地方自筹实际拨付", "地方自筹资金实际拨付", "自筹实际拨付")),
    Column("status", "项目状态", ("项目状态", "状态")),
    Column("plan_code", "计划代码", ("计划代码", "规划代码")),
    Column("township", "苏木镇", ("苏木镇", "苏木/镇")),
    Column("village", "嘎查", ("嘎查", "嘎查村")),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
AMOUNT_FIELDS = ("total", "beijing", "local")

# The finance bureau's disbursement sheets (importers.disbursements): one row per payment. The local columns
# come first so that a tie between fragments of equal length ("地方自筹" and "实际拨付" in
# "地方自筹实际拨付") goes to the source the header names.
DISBURSEMENT_COLUMNS: tuple[Column, ...] = (
    Column("serial", "序号", ("序号", "项目序号", "附表序号", "编号")),
    Column("name", "项目名称", ("项目名称", "名称")),
    Column("year", "年度", ("实施年度", "拨付年度", "项目年度", "年度", "年份")),
    Column("local", "地方自筹拨付", (
        "地方自筹资金实际拨付", "地方自筹实际拨付", "地方自筹资金拨付", "地方自筹拨付", "地方配套资金拨付",
        "地方配套拨付", "地方自筹资金支出", "地方自筹支出", "地方配套支出", "地方自筹资金", "地方配套资金",
        "地方自筹", "地方配套", "自筹资金", "配套资金", "自筹", "配套")),
    Column("beijing", "京蒙资金拨付", (
        "京蒙协作资金实际拨付", "京蒙资金实际拨付", "京蒙协作资金拨付", "京蒙资金拨付", "京蒙协作资金支出",
        "京蒙资金支出", "京蒙协作资金", "京蒙帮扶资金", "京蒙资金", "协作资金", "帮扶资金", "实际拨付", "拨付金额",
        "支出金额", "拨付资金", "拨付")),
    Column("date", "拨付日期", ("拨付日期", "支付日期", "付款日期", "支出日期", "拨付时间", "日期")),
    Column("voucher", "凭证号", ("记账凭证编号", "记账凭证号", "凭证编号", "凭证号码", "凭证号", "凭证")),
    Column("location", "建设地点", ("项目建设地点", "建设地点", "实施地点", "地点")),
    Column("unit", "实施单位", ("项目实施单位", "实施单位", "责任单位", "建设单位")),
)
DISBURSEMENT_AMOUNT_FIELDS = ("beijing", "local")

# Units and explanations in brackets are not part of a column's name.
_BRACKETED = re.compile(r"\([^()]*\)")


def _patterns(columns: tuple[Column, ...]) -> list[tuple[str, str]]:
    return sorted(((pattern, column.field) for column in columns for pattern in column.patterns),
                  key=lambda item: -len(item[0]))


_PATTERNS = _patterns(COLUMNS)
_DISBURSEMENT_PATTERNS = _patterns(DISBURSEMENT_COLUMNS)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|21\d\d)\s*年?(?!\d)")


def _header_text(value) -> str:
    if not isinstance(value, str):
        return ""
    return _BRACKETED.sub("", normalize_text(value))


def match_header_cell(value, patterns=None) -> str | None:
    """The column a header cell names: the longest known fragment it contains wins.

    "京蒙协作资金主要用途" contains 京蒙协作资金 too, but its longest match is itself.
    `patterns`: another sheet kind's (default: the annex's).
    """
    patterns = _PATTERNS if patterns is None else patterns
    text = _header_text(value)
    if not text or len(text) > 30:
        return None
    for pattern, field in patterns:
        if pattern == text:
            return field
    for pattern, field in patterns:
        if pattern in text:
            return field
    return None


@dataclass(frozen=True)
class Header:
    row: int  # 1-based row number of the header
    columns: dict  # field → 0-based column index
    labels: dict  # field → the header text as written

    def has(self, field: str) -> bool:
        return field in self.columns


def find_header(row_number: int, cells: tuple, *, disbursements: bool = False) -> Header | None:
    """A header row names the project-name column, an amount column and at least two other known columns
    (of an annex table, or with `disbursements` of a disbursement sheet)."""
    patterns, amounts = (_DISBURSEMENT_PATTERNS, DISBURSEMENT_AMOUNT_FIELDS) if disbursements else (None, AMOUNT_FIELDS)
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, value in enumerate(cells):
        field = match_header_cell(value, patterns)
        if field is not None and field not in columns:
            columns[field] = index
            labels[field] = str(value)
    if "name" not in columns or len(columns) < 4:
        return None
    if not any(field in columns for field in amounts):
        return None
    return Header(row=row_number, columns=columns, labels=labels)


def year_in_text(value) -> int | None:
    """The year a table title or sheet name speaks of: "科右中旗2021年…统计表", "2021年", "2021"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1950 <= value <= 2199 else None
    if not isinstance(value, str):
        return None
    years = set(_YEAR_IN_TEXT.findall(normalize_text(value)))
    return int(years.pop()) if len(years) == 1 else None


def text_cells(cells: tuple) -> list[tuple[int, str]]:
    """(index, text) of the non-blank cells of a row."""
    found = []
    for index, value in enumerate(cells):
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if text.strip():
            found.append((index, text))
    return found
