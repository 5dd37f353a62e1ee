"""planportal.lib.safe_cells: exported text never starts a formula, and comes back unchanged."""
import csv
import io
from decimal import Decimal

import pytest

from planportal.lib.safe_cells import safe_text, unescape_text, xlsx_text

DANGEROUS = [
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "+1",
    "-1",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "=",
    "-",
]
HARMLESS = ["科右中旗肉牛改良项目", "", "1+1", "a=b", "'quoted", "'", "''", " =1", "#N/A", "嘎查-村"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_would_start_a_formula_gets_one_quote(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert safe_text(text) == text


@pytest.mark.parametrize("value", [-1, 0, 1.5, Decimal("-168.15"), None])
def test_numbers_are_never_quoted(value):
    assert safe_text(value) is value


@pytest.mark.parametrize("text", DANGEROUS + HARMLESS + ["'=x", "''=x", "'-1", "'＠a"])
def test_unescape_gives_back_exactly_what_was_escaped(text):
    assert unescape_text(safe_text(text)) == text


@pytest.mark.parametrize("text", ["'=x", "''+1"])
def test_text_starting_with_its_own_quote_before_a_trigger_gets_another(text):
    # Without the extra quote, unescape_text would eat the user's own quote on import.
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize(
    "text, expected",
    [("'=1", "=1"), ("'@a", "@a"), ("'－1", "－1"), ("''=1", "'=1"), ("'abc", "'abc"), ("'", "'"), ("abc", "abc")],
)
def test_unescape_strips_one_quote_only_before_a_trigger(text, expected):
    assert unescape_text(text) == expected


def test_round_trip_through_a_real_csv_file():
    rows = [[safe_text(text), Decimal("168.15")] for text in DANGEROUS + HARMLESS]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    read = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert all(cell[:1] not in "=+-@\t\r＝＋－＠" or cell == "" for cell, _amount in read)
    assert [unescape_text(cell) for cell, _amount in read] == DANGEROUS + HARMLESS
    assert {amount for _cell, amount in read} == {"168.15"}


def test_xlsx_text_keeps_line_breaks_and_drops_what_xml_cannot_hold():
    assert xlsx_text("第一行\x0b第二行\x0c第三行") == "第一行\n第二行\n第三行"
    assert xlsx_text("a\x00b\x07c\x1fd") == "abcd"
    assert xlsx_text("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert xlsx_text('=HYPERLINK("x")') == '=HYPERLINK("x")'
