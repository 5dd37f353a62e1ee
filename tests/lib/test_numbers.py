"""planportal.lib.numbers: amount, count and year cells as spreadsheets hand them over."""
from decimal import Decimal

import pytest

from planportal.lib.numbers import (
    AmountError,
    CountError,
    YearError,
    parse_amount,
    parse_count,
    parse_year,
    parse_year_span,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\u3000", None),
        ("-", None),
        ("—", None),
        ("——", None),
        ("－", None),
        ("/", None),
        (0, "0"),
        (168, "168"),
        (1500, "1500"),
        (168.15, "168.15"),  # not 168.150000000000005684…
        (1068.15, "1068.15"),
        (2651.11, "2651.11"),
        (0.1 + 0.2, "0.3"),  # 0.30000000000000004: binary noise of a formula
        (1068.1499999999999, "1068.15"),
        (1500.0, "1500"),
        (Decimal("168.150"), "168.15"),
        (Decimal("1.5E+3"), "1500"),
        ("168.15", "168.15"),
        (" 168.15 ", "168.15"),
        ("0", "0"),
        ("0.0001", "0.0001"),
        ("12.3400", "12.34"),
        ("１２３．５", "123.5"),
        ("1,234.5", "1234.5"),
        ("1，234.5", "1234.5"),
        ("12,345,678", "12345678"),
        ("1 234.5", "1234.5"),
        ("1\u2009234.5", "1234.5"),
        ("1\u00a0234.5", "1234.5"),
        ("1\u202f234", "1234"),
        ("1\u3000234", "1234"),
        ("168.15万元", "168.15"),
        ("168.15 万元", "168.15"),
        ("20万", "20"),
        ("20 万 元", "20"),
        ("１６８．１５万元", "168.15"),
        ("+5", "5"),
        ("-5", "-5"),
        ("−5", "-5"),  # U+2212 minus sign
        ("－5", "-5"),  # full-width hyphen-minus
        ("-0", "0"),
        (".5", "0.5"),
        ("5.", "5"),
        ("99999999999.9999", "99999999999.9999"),
        (-99999999999, "-99999999999"),
    ],
)
def test_parse_amount_reads(value, expected):
    result = parse_amount(value)
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, Decimal)
        assert str(result) == expected  # exact digits, no 1.5E+3, no binary tail


@pytest.mark.parametrize(
    "value, code",
    [
        ("12a", "not_a_number"),
        ("1.2e3", "not_a_number"),  # exponents are not typed by people
        ("1.2E3", "not_a_number"),
        ("nan", "not_a_number"),
        ("inf", "not_a_number"),
        ("（5）", "not_a_number"),  # accounting negative or item number: refused
        ("(5)", "not_a_number"),
        ("12,5", "not_a_number"),  # decimal comma? refused rather than read as 125
        ("1.234,5", "not_a_number"),
        ("1,23,456", "not_a_number"),
        ("12 34", "not_a_number"),
        ("500元", "not_a_number"),  # yuan, not 万元: off by 10,000
        ("5%", "not_a_number"),
        ("万元", "not_a_number"),
        ("5万元万元", "not_a_number"),
        ("元", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("+ 5", "not_a_number"),
        ("--5", "not_a_number"),
        (True, "not_a_number"),
        (False, "not_a_number"),
        ([1], "not_a_number"),
        ("1.23456", "too_many_decimals"),
        ("0.00001", "too_many_decimals"),
        (168.15123, "too_many_decimals"),
        (1e-05, "too_many_decimals"),
        (Decimal("0.00001"), "too_many_decimals"),
        (float("nan"), "not_finite"),
        (float("inf"), "not_finite"),
        (float("-inf"), "not_finite"),
        (Decimal("NaN"), "not_finite"),
        (Decimal("Infinity"), "not_finite"),
        (10**11, "too_large"),
        (-(10**11), "too_large"),
        ("100000000000", "too_large"),
        ("100,000,000,000万元", "too_large"),
        (1e16, "too_large"),
    ],
)
def test_parse_amount_refuses(value, code):
    with pytest.raises(AmountError) as caught:
        parse_amount(value)
    assert caught.value.code == code
    assert caught.value.value is value
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "value, zh, en",
    [
        (
            "12a",
            "「12a」不是数字：请填写以万元为单位的金额，如 168.15",
            "'12a' is not a number: enter an amount in 万元 such as 168.15",
        ),
        (
            " 1.23456 ",
            "「1.23456」小数位过多：金额以万元为单位，最多 4 位小数（精确到元）",
            "'1.23456' has too many decimals: amounts are in 万元 with at most 4 decimals (exact to the yuan)",
        ),
        (
            float("nan"),
            "「nan」不是有限的数：请填写以万元为单位的金额，如 168.15",
            "'nan' is not a finite number: enter an amount in 万元 such as 168.15",
        ),
        (
            "100000000000",
            "「100000000000」过大：金额以万元为单位，须小于 100000000000 万元",
            "'100000000000' is too large: amounts are in 万元 and must be below 100000000000",
        ),
        (
            "这是一段很长很长很长很长很长很长很长很长很长很长的文字",
            "「这是一段很长很长很长很长很长很长很长很长很长很长的文字」不是数字：请填写以万元为单位的金额，如 168.15",
            "'这是一段很长很长很长很长很长很长很长很长很长很长的文字' is not a number: enter an amount in 万元 such as 168.15",
        ),
        (
            "x" * 40,
            "「" + "x" * 29 + "…」不是数字：请填写以万元为单位的金额，如 168.15",
            "'" + "x" * 29 + "…' is not a number: enter an amount in 万元 such as 168.15",
        ),
    ],
)
def test_amount_error_messages(value, zh, en):
    with pytest.raises(AmountError) as caught:
        parse_amount(value)
    error = caught.value
    assert error.message() == zh
    assert error.message("zh") == zh
    assert error.message("zh-CN") == zh
    assert error.message("en") == en
    assert error.message("EN_us") == en
    assert str(error) == zh


def test_amount_error_unknown_language_and_code():
    error = AmountError("not_a_number", "12a")
    with pytest.raises(ValueError, match="fr"):
        error.message("fr")
    with pytest.raises(ValueError, match="no_such_code"):
        AmountError("no_such_code", "12a")


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("-", None),
        (25, 25),
        (25.0, 25),
        (Decimal("25"), 25),
        ("25", 25),
        ("25个", 25),
        ("25 个", 25),
        ("３项", 3),
        ("12家", 12),
        ("300人", 300),
        ("300人次", 300),
        ("50名", 50),
        ("1,200人", 1200),
        ("1.2万人", 12000),
        ("2万", 20000),
        ("0", 0),
    ],
)
def test_parse_count_reads(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    "value, code, zh, en",
    [
        ("abc", "not_a_number", "「abc」不是数量：请填写整数，如 25 或 25个", "'abc' is not a count: enter a whole number such as 25 or 25个"),
        ("25.5", "not_whole", "「25.5」不是整数：数量须为整数，如 25", "'25.5' is not a whole number: a count must be whole, such as 25"),
        (25.5, "not_whole", "「25.5」不是整数：数量须为整数，如 25", "'25.5' is not a whole number: a count must be whole, such as 25"),
        ("1.23456万", "not_whole", "「1.23456万」不是整数：数量须为整数，如 25", "'1.23456万' is not a whole number: a count must be whole, such as 25"),
        ("-3个", "negative", "「-3个」是负数：数量不能为负", "'-3个' is negative: a count cannot be negative"),
        (True, "not_a_number", "「True」不是数量：请填写整数，如 25 或 25个", "'True' is not a count: enter a whole number such as 25 or 25个"),
        (float("nan"), "not_a_number", "「nan」不是数量：请填写整数，如 25 或 25个", "'nan' is not a count: enter a whole number such as 25 or 25个"),
        (10**12, "too_large", "「1000000000000」过大：数量须小于 1000000000000", "'1000000000000' is too large: a count must be below 1000000000000"),
    ],
)
def test_parse_count_refuses(value, code, zh, en):
    with pytest.raises(CountError) as caught:
        parse_count(value)
    assert caught.value.code == code
    assert caught.value.message("zh") == zh
    assert caught.value.message("en") == en


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("-", None),
        (2021, 2021),
        (2021.0, 2021),
        (Decimal("2021"), 2021),
        ("2021", 2021),
        (" 2021 ", 2021),
        ("2021年", 2021),
        ("2021年度", 2021),
        ("２０２１", 2021),
        ("２０２１年", 2021),
        ("2023-2023", 2023),  # a span of one year is that year
    ],
)
def test_parse_year_reads(value, expected):
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    "value, code, zh, en",
    [
        ("2022-2025", "is_span", "「2022-2025」是年份区间，这里只能填写一个年份", "'2022-2025' is a span of years: only one year is allowed here"),
        ("2022—2025年", "is_span", "「2022—2025年」是年份区间，这里只能填写一个年份", "'2022—2025年' is a span of years: only one year is allowed here"),
        ("21", "not_a_year", "「21」不是年份：请填写四位年份，如 2021 或 2021年", "'21' is not a year: enter a four-digit year such as 2021 or 2021年"),
        ("二〇二一年", "not_a_year", "「二〇二一年」不是年份：请填写四位年份，如 2021 或 2021年", "'二〇二一年' is not a year: enter a four-digit year such as 2021 or 2021年"),
        (2021.5, "not_a_year", "「2021.5」不是年份：请填写四位年份，如 2021 或 2021年", "'2021.5' is not a year: enter a four-digit year such as 2021 or 2021年"),
        (True, "not_a_year", "「True」不是年份：请填写四位年份，如 2021 或 2021年", "'True' is not a year: enter a four-digit year such as 2021 or 2021年"),
        ("2021年3月", "not_a_year", "「2021年3月」不是年份：请填写四位年份，如 2021 或 2021年", "'2021年3月' is not a year: enter a four-digit year such as 2021 or 2021年"),
        ("1899", "out_of_range", "「1899」超出年份范围：须在 1900 至 2100 之间", "'1899' is out of range: a year must be between 1900 and 2100"),
        (2101, "out_of_range", "「2101」超出年份范围：须在 1900 至 2100 之间", "'2101' is out of range: a year must be between 1900 and 2100"),
        ("2025-2022", "bad_span", "「2025-2022」的年份区间起止颠倒", "'2025-2022' is a span whose end comes before its start"),
    ],
)
def test_parse_year_refuses(value, code, zh, en):
    with pytest.raises(YearError) as caught:
        parse_year(value)
    assert caught.value.code == code
    assert caught.value.message("zh") == zh
    assert caught.value.message("en") == en


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        (2021, (2021, 2021)),
        ("2021", (2021, 2021)),
        ("2021年", (2021, 2021)),
        ("2022-2025", (2022, 2025)),
        ("2022—2025年", (2022, 2025)),
        ("2022–2025", (2022, 2025)),
        ("2022−2025", (2022, 2025)),
        ("2022年—2025年", (2022, 2025)),
        ("2022～2025", (2022, 2025)),
        ("2022〜2025", (2022, 2025)),
        ("2022~2025", (2022, 2025)),
        ("2022至2025年", (2022, 2025)),
        ("2022年至2025年", (2022, 2025)),
        ("2022 - 2025", (2022, 2025)),
        ("２０２２－２０２５", (2022, 2025)),
        ("2022-25", (2022, 2025)),
        ("2023-2023", (2023, 2023)),
    ],
)
def test_parse_year_span_reads(value, expected):
    assert parse_year_span(value) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("2025-2022", "bad_span"),
        ("2025-22", "bad_span"),
        ("2022-1899", "out_of_range"),
        ("2022-2025-2027", "not_a_year"),
        ("2022、2023", "not_a_year"),
        ("abc", "not_a_year"),
    ],
)
def test_parse_year_span_refuses(value, code):
    with pytest.raises(YearError) as caught:
        parse_year_span(value)
    assert caught.value.code == code
