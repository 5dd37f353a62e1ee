"""Text that leaves the product as a spreadsheet cell must stay text.

Project names, places and contents come from uploaded files: they are data. A
spreadsheet program starts a formula when a cell begins with "=", "+", "-" or
"@" (and some treat a leading tab or carriage return the same way), so a name
like ``=HYPERLINK("http://x")`` in an exported CSV would run when opened.

* CSV (OWASP "CSV injection" advice): ``safe_text`` puts a single quote in front
  of such text; ``unescape_text`` takes exactly that quote off again, so
  export → import gives back the stored text, character for character.
* XLSX: cells are typed, so text is written as a string cell (never a formula)
  and needs no quote; ``xlsx_text`` only removes what XML cannot hold.

Pure module: no Django imports.
"""

import re
from typing import TypeVar, overload

# ASCII triggers and their full-width forms (an IME types ＝ as easily as =).
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
QUOTE = "'"

# Characters XML 1.0 cannot hold (tab, LF and CR can). openpyxl refuses a cell
# containing one, which would abort a whole export over one stray character.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Word's manual line break (vertical tab) and page break: a new line is what the author meant.
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}

_T = TypeVar("_T")


def _needs_quote(text: str) -> bool:
    """True when the text, after any run of leading quotes, starts with a trigger.

    Quotes are skipped so that a value which itself starts with "'" followed by a
    trigger ("'=x") also gets one more quote; otherwise unescape_text would take
    the user's own quote off and the round trip would change the value.
    """
    rest = text.lstrip(QUOTE)
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


@overload
def safe_text(value: str) -> str: ...


@overload
def safe_text(value: _T) -> _T: ...


def safe_text(value):
    """Text for a CSV cell: "'" + text when it would start a formula, else the text unchanged.

    Anything that is not a str (int, Decimal, None) is returned as it is: numbers
    are written as numbers and are never quoted.
    """
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


@overload
def unescape_text(value: str) -> str: ...


@overload
def unescape_text(value: _T) -> _T: ...


def unescape_text(value):
    """The inverse of safe_text: drop ONE leading "'" when what follows it would start a formula.

    For text read from CSV files. A cell read from an XLSX file is already typed as
    text and carries no quote (Excel keeps its "'" as a style, not in the value),
    so it should not be unescaped.
    """
    if isinstance(value, str) and value.startswith(QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


def xlsx_text(value: str) -> str:
    """Text an XLSX cell can hold: line/page breaks become new lines, other control characters go.

    They cannot be stored in the file's XML at all; the database keeps the original.
    """
    for char, replacement in _LINE_BREAKS.items():
        value = value.replace(char, replacement)
    return _XML_ILLEGAL.sub("", value)
