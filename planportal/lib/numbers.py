"""Read amount, count and year cells from annex spreadsheets.

Pure standard library, no Django: importers, fixture builders and tests share it.

Spreadsheet readers hand back None, int, float, Decimal or text, and people type
amounts many ways ("1,234.5", "１２３．５", "168.15万元"). Every reader here returns
an exact value or raises an error with a stable machine ``code`` and a message in
Chinese and English; nothing is rounded or corrected silently.

Edge-case decisions (kept in one place so the tests can pin them):

* Blank, whitespace, "-", "—", "——", "/" → None, so the caller can tell "left
  blank" from 0 (it may still treat blank as 0).
* Negatives parse: "-5", "−5" (U+2212), "－5" (full width). The caller rejects
  them with its own message. "（5）" / "(5)" (accounting negative) is refused as
  not_a_number: in these documents "(5)" is just as often an item number, and a
  spreadsheet that formats negatives in parentheses still hands over a float.
* Exponents ("1.2e3") and "nan"/"inf" text are not amounts a person types: not_a_number.
* Thousands separators must group by three ("1,234"); "12,5" could be a
  decimal comma and is refused rather than read as 125.
* Only 万元 / 万 are accepted as a unit; "500元" is refused (it would be off by 10,000).
* A float that is binary noise around a 4-decimal value (1068.1499999999999, the
  result of a spreadsheet formula) is read as that value; a float with real
  extra decimals is too_many_decimals.
"""
from __future__ import annotations

import math
import operator
import re
import unicodedata
from decimal import Decimal

MAX_DECIMALS = 4  # 万元 exact to the yuan
MAX_AMOUNT = Decimal(10) ** 11  # 万元, exclusive
_FLOAT_FAST = 1e10  # below MAX_AMOUNT, with room for a float's rounding
YEAR_MIN, YEAR_MAX = 1900, 2100

_BLANKS = {"", "-", "/", "—", "——", "--", "－", "―", "–", "\\"}
# Whitespace that may sit inside a number as a thousands separator (NFKC turns
# U+00A0 and U+3000 into a plain space, but not every thin/narrow space).
_SPACE = r"[\s\u2009\u200a\u202f\u2007\u00a0\u3000]"
_SPACES = re.compile(_SPACE + "+")
_MINUS = {"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"}
_WAN_UNIT = re.compile(f"{_SPACE}*万{_SPACE}*元?$")  # "168.15万元", "20 万"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[,\s]\d{3})+(?:\.\d*)?")
_COUNT_UNITS = ("人次", "个", "项", "家", "人", "名", "户", "次", "期", "批", "所", "处", "座", "场", "班")
_YEAR = re.compile(r"(\d{4})(?:年度|年)?")
_SPAN = re.compile(r"(\d{4})(?:年度|年)?(?:-|~|至|到)(\d{4}|\d{2})(?:年度|年)?")

_MESSAGES = {
    "not_a_number": (
        "「{v}」不是数字：请填写以万元为单位的金额，如 168.15",
        "'{v}' is not a number: enter an amount in 万元 such as 168.15",
    ),
    "too_many_decimals": (
        "「{v}」小数位过多：金额以万元为单位，最多 4 位小数（精确到元）",
        "'{v}' has too many decimals: amounts are in 万元 with at most 4 decimals (exact to the yuan)",
    ),
    "not_finite": (
        "「{v}」不是有限的数：请填写以万元为单位的金额，如 168.15",
        "'{v}' is not a finite number: enter an amount in 万元 such as 168.15",
    ),
    "too_large": (
        "「{v}」过大：金额以万元为单位，须小于 100000000000 万元",
        "'{v}' is too large: amounts are in 万元 and must be below 100000000000",
    ),
    "count_not_a_number": (
        "「{v}」不是数量：请填写整数，如 25 或 25个",
        "'{v}' is not a count: enter a whole number such as 25 or 25个",
    ),
    "not_whole": (
        "「{v}」不是整数：数量须为整数，如 25",
        "'{v}' is not a whole number: a count must be whole, such as 25",
    ),
    "count_too_large": (
        "「{v}」过大：数量须小于 1000000000000",
        "'{v}' is too large: a count must be below 1000000000000",
    ),
    "negative": ("「{v}」是负数：数量不能为负", "'{v}' is negative: a count cannot be negative"),
    "not_a_year": (
        "「{v}」不是年份：请填写四位年份，如 2021 或 2021年",
        "'{v}' is not a year: enter a four-digit year such as 2021 or 2021年",
    ),
    "year_out_of_range": (
        "「{v}」超出年份范围：须在 1900 至 2100 之间",
        "'{v}' is out of range: a year must be between 1900 and 2100",
    ),
    "is_span": (
        "「{v}」是年份区间，这里只能填写一个年份",
        "'{v}' is a span of years: only one year is allowed here",
    ),
    "bad_span": (
        "「{v}」的年份区间起止颠倒",
        "'{v}' is a span whose end comes before its start",
    ),
}


class CellValueError(ValueError):
    """A cell that cannot be read as the value asked for.

    ``code`` is stable (for tests, APIs, translations); ``value`` is the cell as given.
    """

    codes: tuple[str, ...] = ()
    _message_codes: dict[str, str] = {}

    def __init__(self, code: str, value: object):
        if code not in self.codes:
            raise ValueError(f"unknown {type(self).__name__} code {code!r}")
        super().__init__(code, value)
        self.code = code
        self.value = value

    def message(self, lang: str = "zh") -> str:
        lang = lang.lower().replace("_", "-").split("-")[0]
        if lang not in ("zh", "en"):
            raise ValueError(f"no message in language {lang!r}: use 'zh' or 'en'")
        zh, en = _MESSAGES[self._message_codes.get(self.code, self.code)]
        return (zh if lang == "zh" else en).format(v=_shown(self.value))

    def __str__(self) -> str:  # the product's users read Chinese
        return self.message("zh")


class AmountError(CellValueError):
    codes = ("not_a_number", "too_many_decimals", "not_finite", "too_large")


class CountError(CellValueError):
    codes = ("not_a_number", "not_whole", "negative", "too_large")
    _message_codes = {"not_a_number": "count_not_a_number", "too_large": "count_too_large"}


class YearError(CellValueError):
    codes = ("not_a_year", "out_of_range", "is_span", "bad_span")
    _message_codes = {"out_of_range": "year_out_of_range"}


def _shown(value: object) -> str:
    """The cell as a person would recognise it in a message, kept short."""
    text = value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _clean_text(value: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII), unify minus signs, strip."""
    text = unicodedata.normalize("NFKC", value)
    for variant, ascii_minus in _MINUS.items():
        text = text.replace(variant, ascii_minus)
    return text.strip()


def _is_blank(text: str) -> bool:
    return _SPACES.sub("", text) in _BLANKS


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros (168.150 → 168.15) without going to 1.5E+3; -0 → 0."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1)) + 0
    return value.normalize() + 0


def _decimals(value: Decimal) -> int:
    exponent = _tidy(value).as_tuple().exponent
    return -exponent if exponent < 0 else 0


def _from_float(value: float, error: type[CellValueError]) -> Decimal:
    if not math.isfinite(value):
        raise error("not_finite" if "not_finite" in error.codes else "not_a_number", value)
    exact = Decimal(repr(value))  # shortest repr: 168.15 → "168.15", not the binary expansion
    if _decimals(exact) > MAX_DECIMALS:
        rounded = round(exact, MAX_DECIMALS)
        # Binary noise from a formula (1068.1499999999999): the float is, within a
        # few ulps, exactly a 4-decimal number, so that number is what the cell holds.
        if abs(float(rounded) - value) <= 4 * math.ulp(value):
            return rounded
    return exact


def _number_text(text: str, error: type[CellValueError], original: object) -> Decimal:
    """A plain decimal numeral, possibly with thousands separators, → Decimal."""
    if "," in text or _SPACES.search(text):
        spaced = _SPACES.sub(" ", text)
        if not _GROUPED.fullmatch(spaced):
            raise error("not_a_number", original)
        text = spaced.replace(",", "").replace(" ", "")
    if not _NUMBER.fullmatch(text):
        raise error("not_a_number", original)
    return Decimal(text)


def parse_amount(value: object) -> Decimal | None:
    """An amount cell in 万元 → Decimal (trailing zeros dropped), None when blank.

    Raises AmountError with code not_a_number / too_many_decimals / not_finite / too_large.
    """
    if value is None:
        return None
    if type(value) is float and -_FLOAT_FAST < value < _FLOAT_FAST:
        # The usual cell, a finite float of at most 4 decimals: the checks below could only pass.
        amount = Decimal(repr(value))
        if amount.as_tuple().exponent >= -MAX_DECIMALS:
            return _tidy(amount)
    if isinstance(value, bool):  # True is an int to Python, never an amount
        raise AmountError("not_a_number", value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError("not_finite", value)
        amount = value
    elif isinstance(value, float):
        amount = _from_float(value, AmountError)
    elif isinstance(value, str):
        text = _clean_text(value)
        if _is_blank(text):
            return None
        text = _WAN_UNIT.sub("", text)
        amount = _number_text(text, AmountError, value)
    else:
        try:
            amount = Decimal(operator.index(value))  # int and int-like (numpy.int64)
        except TypeError:
            raise AmountError("not_a_number", value) from None
    if abs(amount) >= MAX_AMOUNT:
        raise AmountError("too_large", value)
    if _decimals(amount) > MAX_DECIMALS:
        raise AmountError("too_many_decimals", value)
    return _tidy(amount)


def parse_count(value: object) -> int | None:
    """A count cell ("25", "25个", "３项", "1.2万人", 25.0) → int, None when blank.

    A trailing unit (个/项/家/人/人次/名/户/…) is dropped, "万" multiplies by 10,000
    (exactly: "1.23456万" is not whole and is refused). Negatives are refused:
    no count in a plan is negative. Raises CountError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CountError("not_a_number", value)
    if isinstance(value, float):
        number = _from_float(value, CountError)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise CountError("not_a_number", value)
        number = value
    elif isinstance(value, str):
        text = _clean_text(value)
        if _is_blank(text):
            return None
        for unit in _COUNT_UNITS:
            if text.endswith(unit):
                text = text[: -len(unit)].strip()
                break
        factor = 1
        if text.endswith("万"):
            text, factor = text[:-1].strip(), 10_000
        number = _number_text(text, CountError, value) * factor
    else:
        try:
            number = Decimal(operator.index(value))
        except TypeError:
            raise CountError("not_a_number", value) from None
    if number != number.to_integral_value():
        raise CountError("not_whole", value)
    if number < 0:
        raise CountError("negative", value)
    if number >= 10**12:
        raise CountError("too_large", value)
    return int(number)


def _year_text(value: object) -> str | None:
    """The year cell as compact ASCII text ("2022—2025年" → "2022-2025年"), None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise YearError("not_a_year", value)
    if isinstance(value, float):
        if not value.is_integer():
            raise YearError("not_a_year", value)
        value = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise YearError("not_a_year", value)
        value = int(value)
    if not isinstance(value, str):
        try:
            return str(operator.index(value))
        except TypeError:
            raise YearError("not_a_year", value) from None
    text = _clean_text(value)
    if _is_blank(text):
        return None
    # Every dash and tilde variant is a span separator here (NFKC leaves — and 〜 alone).
    return re.sub(r"[\u2010-\u2015\u301c\uff5e]", "-", _SPACES.sub("", text))


def _checked_year(year: int, value: object) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise YearError("out_of_range", value)
    return year


def parse_year_span(value: object) -> tuple[int, int] | None:
    """实施年度 → (first, last): "2021" → (2021, 2021); "2022-2025", "2022—2025年",
    "2022年至2025年", "2022-25" → (2022, 2025). None when blank. Raises YearError."""
    text = _year_text(value)
    if text is None:
        return None
    single = _YEAR.fullmatch(text)
    if single:
        year = _checked_year(int(single.group(1)), value)
        return year, year
    span = _SPAN.fullmatch(text)
    if not span:
        raise YearError("not_a_year", value)
    start = _checked_year(int(span.group(1)), value)
    end_text = span.group(2)
    # "2022-25": the end shares the start's century (unambiguous, no guessing).
    end = int(end_text) if len(end_text) == 4 else start // 100 * 100 + int(end_text)
    end = _checked_year(end, value)
    if end < start:
        raise YearError("bad_span", value)
    return start, end


def parse_year(value: object) -> int | None:
    """实施年度 → one year: 2021, 2021.0, "2021", "2021年", "２０２１" → 2021; None when blank.

    A span ("2022-2025") raises YearError("is_span"); read it with parse_year_span.
    A span whose ends are equal ("2023-2023") is that single year.
    """
    span = parse_year_span(value)
    if span is None:
        return None
    if span[0] != span[1]:
        raise YearError("is_span", value)
    return span[0]
