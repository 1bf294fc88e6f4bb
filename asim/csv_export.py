"""The one CSV writer every export uses.

A spreadsheet opening a CSV runs any cell that starts with `=`, `+`, `-` or `@` (or a tab or
carriage return before one) as a formula: `=HYPERLINK("http://x")` from a roster import would
come out live in Excel. Such cells are written with a single quote in front (OWASP's rule), which
spreadsheets show as text; `unescape_cell` takes it off again on import, so an export imported
back changes nothing and real names such as "-Smith" stay as they are in the database and pages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Digits with an optional leading "+" (E.164 phone numbers, counts) cannot call anything, and a
# quote in front would spoil every phone column.
_PLAIN_NUMBER = re.compile(r"\+?\d+")


def escape_cell(value: object) -> object:
    """`value` as it is safe to write into a CSV cell; non-text values pass unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of `escape_cell` for a cell read back from one of our files."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document: the header, then every row with each cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()
