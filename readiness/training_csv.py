"""Attendance CSV (a session's sign-in sheet): the file format and row validation. The import
(the only part that writes) is readiness.services.training.attendance_import, which matches
every row to a roster member first and writes nothing unless all rows are good."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from agencies.models import Channel
from agencies.roster_csv import RowError, column_error, decode
from agencies.validation import normalize_address
from asim.csv_export import unescape_cell

COLUMNS = ["full_name", "email", "phone", "agency", "completed_on"]
REQUIRED = {"full_name"}
MAX_ROWS = 2000

__all__ = ["COLUMNS", "AttendanceRow", "ParsedAttendance", "RowError", "decode", "parse"]


@dataclass
class AttendanceRow:
    """One validated row: who signed in (normalised email and phone) and, optionally, when."""

    line: int
    full_name: str
    email: str
    phone: str
    agency: str  # agency short code, optional
    completed_on: date | None


@dataclass
class ParsedAttendance:
    rows: list[AttendanceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


def parse(text: str) -> ParsedAttendance:
    """Validate every row; a row is good only when all its values are."""
    result = ParsedAttendance()
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        result.file_error = "The file is empty."
        return result
    result.file_error = column_error(headers, REQUIRED, COLUMNS)
    if result.file_error:
        return result
    reader.fieldnames = headers
    for raw in reader:
        line = reader.line_num
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.file_error = f"The file has more than {MAX_ROWS} rows; split it."
            return result
        values = {k: unescape_cell((v or "").strip()) for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        reasons: list[str] = []
        if None in raw:
            reasons.append("more values than columns (is a comma missing quotes?)")
        name = values.get("full_name", "")
        if not name:
            reasons.append("full_name is empty")
        email = phone = ""
        if values.get("email"):
            try:
                email = normalize_address(Channel.EMAIL, values["email"])
            except ValidationError as exc:
                reasons.append(f"email: {' '.join(exc.messages)}")
        if values.get("phone"):
            try:
                phone = normalize_address(Channel.SMS, values["phone"])
            except ValidationError as exc:
                reasons.append(f"phone: {' '.join(exc.messages)}")
        completed_on = None
        if values.get("completed_on"):
            try:
                completed_on = date.fromisoformat(values["completed_on"])
            except ValueError:
                reasons.append(
                    f"completed_on: write a date as YYYY-MM-DD, not {values['completed_on']!r}"
                )
        if reasons:
            result.errors.append(RowError(line=line, name=name or "(no name)", reasons=reasons))
        else:
            result.rows.append(
                AttendanceRow(
                    line=line,
                    full_name=name,
                    email=email,
                    phone=phone,
                    agency=values.get("agency", ""),
                    completed_on=completed_on,
                )
            )
    if not result.rows and not result.errors:
        result.file_error = "The file has a header but no rows."
    return result
