"""Roster CSV: the file format, row validation and export. The import itself (the only part
that writes) is agencies.services.roster_import, which validates every row with this module
first and writes nothing unless all rows are good."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from agencies.models import Channel, Member
from agencies.validation import clean_roster_roles, normalize_address
from asim.csv_export import csv_text, unescape_cell

COLUMNS = [
    "external_id",
    "full_name",
    "title",
    "roles",
    "active",
    "on_call",
    "sms",
    "voice",
    "email",
]
REQUIRED = {"full_name"}
MULTI_SEPARATOR = ";"
MAX_ROWS = 5000
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class RosterRow:
    """One validated row of a roster file."""

    line: int
    external_id: str
    full_name: str
    title: str
    roles: list[str]
    active: bool
    on_call: bool
    addresses: list[tuple[str, str]]  # (channel, normalized address) in priority order


@dataclass
class RowError:
    line: int
    name: str
    reasons: list[str]


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]


def _flag(value: str, column: str, reasons: list[str], default: bool) -> bool:
    word = value.strip().lower()
    if word == "":
        return default
    if word in YES:
        return True
    if word in NO:
        return False
    reasons.append(f"{column}: write yes or no, not {value!r}")
    return default


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without a BOM, as Excel writes it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text; save it as CSV UTF-8.") from None


def column_error(headers: list[str], required: set[str], columns: Iterable[str]) -> str:
    """What is wrong with a CSV's header row ("" when nothing): missing and unknown columns."""
    missing = required - set(headers)
    unknown = [h for h in headers if h and h not in columns]
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(sorted(missing))}")
    if unknown:
        parts.append(f"unknown column(s): {', '.join(unknown)}")
    return "; ".join(parts) + f". Expected columns: {', '.join(columns)}." if parts else ""


def parse(text: str) -> ParsedRoster:
    """Validate every row; a row is good only when all its values are."""
    result = ParsedRoster()
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        result.file_error = "The file is empty."
        return result
    result.file_error = column_error(headers, REQUIRED, COLUMNS)
    if result.file_error:
        return result
    reader.fieldnames = headers
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.file_error = f"The file has more than {MAX_ROWS} rows; split it."
            return result
        # unescape_cell: a file we exported comes back as it went out ("'-Smith" is "-Smith").
        values = {k: unescape_cell((v or "").strip()) for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue  # blank line
        reasons: list[str] = []
        if None in raw:
            reasons.append("more values than columns (is a comma missing quotes?)")
        name = values.get("full_name", "")
        if not name:
            reasons.append("full_name is empty")
        external_id = values.get("external_id", "")
        if external_id:
            if external_id in seen_ids:
                reasons.append(f"external_id {external_id} repeats line {seen_ids[external_id]}")
            seen_ids.setdefault(external_id, line)
        elif name:
            key = name.casefold()
            if key in seen_names:
                reasons.append(f"{name} repeats line {seen_names[key]} (add an external_id)")
            seen_names.setdefault(key, line)
        try:
            roles = clean_roster_roles(_split(values.get("roles", "")))
        except ValidationError as exc:
            reasons.extend(exc.messages)
            roles = []
        active = _flag(values.get("active", ""), "active", reasons, default=True)
        on_call = _flag(values.get("on_call", ""), "on_call", reasons, default=False)
        addresses: list[tuple[str, str]] = []
        for channel in Channel.values:
            for address in _split(values.get(channel, "")):
                try:
                    addresses.append((channel, normalize_address(channel, address)))
                except ValidationError as exc:
                    reasons.append(f"{channel}: {' '.join(exc.messages)}")
        if reasons:
            result.errors.append(RowError(line=line, name=name or "(no name)", reasons=reasons))
        else:
            result.rows.append(
                RosterRow(
                    line=line,
                    external_id=external_id,
                    full_name=name,
                    title=values.get("title", ""),
                    roles=roles,
                    active=active,
                    on_call=on_call,
                    addresses=addresses,
                )
            )
    if not result.rows and not result.errors:
        result.file_error = "The file has a header but no rows."
    return result


def export(members: Iterable[Member]) -> str:
    """The roster as CSV in the import format (a round trip changes nothing; formula-like cells
    are neutralised by asim.csv_export and restored by `parse`)."""

    def rows() -> Iterable[list[str]]:
        for member in members:
            by_channel: dict[str, list[str]] = {channel: [] for channel in Channel.values}
            for point in member.contact_points.all():
                by_channel[point.channel].append(point.address)
            yield [
                member.external_id,
                member.full_name,
                member.title,
                MULTI_SEPARATOR.join(member.roles),
                "yes" if member.active else "no",
                "yes" if member.on_call else "no",
                *(MULTI_SEPARATOR.join(by_channel[channel]) for channel in Channel.values),
            ]

    return csv_text(COLUMNS, rows())
