"""The text helpers behind messages, log lines and CSV cells."""

from __future__ import annotations

import pytest

from asim.csv_export import escape_cell, unescape_cell
from asim.plain_text import escaped_line, one_line, title_with_place


def test_one_line_collapses_breaks_and_drops_invisible_characters():
    assert one_line(" Drill\r\nALERT\u2028 CANCELLED\u202e\u200b\x07 ") == "Drill ALERT CANCELLED"
    assert one_line("José Núñez — Ward 3") == "José Núñez — Ward 3"


def test_escaped_line_shows_what_was_hidden():
    assert escaped_line("a\r\nb\tc\u202ed\x00") == "a\\r\\nb\\tc\\u202ed\\x00"
    assert escaped_line(escaped_line("a\nb")) == "a\\nb"  # escaping twice changes nothing


@pytest.mark.parametrize(
    ("title", "place", "said"),
    [
        (
            "Shooting at Central Mall",
            "Central Mall, 100 Main St",
            "Shooting at Central Mall, 100 Main St",
        ),
        ("Shooting", "Central Mall, 100 Main St", "Shooting at Central Mall, 100 Main St"),
        ("Shooting at central mall", "Central Mall", "Shooting at central mall"),
        ("Shooting", "", "Shooting"),
    ],
)
def test_the_place_is_said_once(title, place, said):
    assert title_with_place(title, place) == said


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-Smith", "'-Smith"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("+19375550101", "+19375550101"),
        ("Dana Reyes", "Dana Reyes"),
        (7, 7),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_get_a_quote_and_lose_it_on_import(cell, written):
    assert escape_cell(cell) == written
    if isinstance(cell, str):
        assert unescape_cell(escape_cell(cell)) == cell
