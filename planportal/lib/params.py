"""How every door reads a number or a text from a query parameter: one rule each, pure standard library.

The pages, the API's filters and paging, and the admin's filters read ids, years,
counts and texts through these, so a hostile value means the same everywhere: not a
value (each door says so in its own way), never an exception and never a query the
database refuses.

* A number is written in ASCII digits ("12"; an optional sign where negatives make
  sense) and has at most 18 of them: every such number fits a BIGINT on every
  database, so no longer number is anybody's id, year or count. "²" is a digit to
  str.isdigit() but not to int(); "١٢" and "１２" are digits to int() but nobody's
  id as typed into an address.
* A text holding a NUL byte is nothing a person typed, and PostgreSQL cannot even
  compare a column with it (psycopg refuses it); SQLite would, so the rule is checked
  here, before any query, and is the same on both.
"""
from __future__ import annotations

import re

MAX_DIGITS = 18
_INTEGER = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}")
_WHOLE = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def integer(value) -> int | None:
    """An integer written in at most 18 ASCII digits with an optional sign ("12", "-3"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if len(str(abs(value))) <= MAX_DIGITS else None
    text = str(value).strip()
    return int(text) if _INTEGER.fullmatch(text) else None


def whole_number(value) -> int | None:
    """An id, a year, a count: at most 18 ASCII digits and no sign ("12"); None for "-1", "1.0", "²", "", …"""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value and len(str(value)) <= MAX_DIGITS else None
    text = str(value).strip()
    return int(text) if _WHOLE.fullmatch(text) else None


def storable(text: str) -> bool:
    """Whether a database can compare a column with this text: none can hold a NUL byte (PostgreSQL refuses it)."""
    return "\x00" not in text
