"""The incident record as a PDF (reportlab): the same sheet as the printable page.

An ICS 214-style activity log: a header block (incident name and number, operational period,
status), the key figures, the resources assigned (ICS roles with their times), the activity
log, and a "prepared by" block to sign. Exercise and test incidents carry their label in the
title and on every page. Standard PDF fonts only (reportlab falls back to the Symbol and
ZapfDingbats fonts for arrows, ticks and Greek), so nothing needs installing.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

MARGIN = 12 * mm
GRID = colors.HexColor("#98a2b3")
SHADE = colors.HexColor("#eef1f5")
WARN = colors.HexColor("#f5c400")


def _when(at: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return timezone.localtime(at).strftime(fmt) if at else ""


def _check_time(at: datetime | None, since_declaration: str) -> str:
    return f"{_when(at, '%H:%M:%S')} (+{since_declaration})" if at else "-"


class _Styles:
    def __init__(self) -> None:
        base = getSampleStyleSheet()
        self.title = ParagraphStyle("t", parent=base["Title"], fontSize=15, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=11, spaceBefore=8)
        self.body = ParagraphStyle("b", parent=base["BodyText"], fontSize=8, leading=10)
        self.small = ParagraphStyle("s", parent=self.body, fontSize=7, textColor=colors.grey)
        self.label = ParagraphStyle(
            "l", parent=self.body, fontSize=6.5, textColor=colors.HexColor("#475467")
        )
        self.banner = ParagraphStyle(
            "x", parent=self.body, fontSize=10, alignment=1, fontName="Helvetica-Bold"
        )

    def p(self, text: Any, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(str(text)), style or self.body)

    def box(self, label: str, *lines: str) -> list[Paragraph]:
        return [self.p(label.upper(), self.label)] + [self.p(line) for line in lines if line]


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(style))
    return table


def render_record_pdf(sheet: dict[str, Any]) -> bytes:
    """The PDF of `sheet` (readiness.record.build.record_sheet)."""
    incident = sheet["incident"]
    label = sheet["label"]
    figures = sheet["figures"]
    s = _Styles()
    width = letter[0] - 2 * MARGIN
    buffer = io.BytesIO()
    title = f"Activity log (ICS 214) - incident {incident.number}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{label + ' - ' if label else ''}{title}",
        author="ASIM",
        subject=incident.title,
    )
    story: list[Any] = []
    if label:
        banner = Table(
            [[s.p(f"{label} {label} {label} - not a real incident", s.banner)]], colWidths=[width]
        )
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), WARN)]))
        story += [banner, Spacer(1, 4)]
    story.append(s.p(f"Activity log (ICS 214){' - ' + label if label else ''}", s.title))

    period_to = (
        f"ongoing (as of {_when(sheet['prepared_at'], '%Y-%m-%d %H:%M %Z')})"
        if sheet["period_open"]
        else _when(sheet["period_to"], "%Y-%m-%d %H:%M %Z")
    )
    where = " - ".join(filter(None, [incident.get_kind_display(), incident.location_text]))
    story.append(
        _table(
            [
                [
                    s.box("1. Incident name", incident.title, where),
                    s.box("Incident number", incident.number, incident.region.name),
                    s.box(
                        "2. Operational period",
                        f"From {_when(sheet['period_from'], '%Y-%m-%d %H:%M %Z')}",
                        f"To {period_to}",
                        f"All times {timezone.get_current_timezone_name()}",
                    ),
                    s.box(
                        "Status",
                        incident.get_status_display(),
                        incident.get_application_display(),
                    ),
                ]
            ],
            [width * 0.32, width * 0.18, width * 0.3, width * 0.2],
            header=False,
        )
    )

    story.append(s.p(f"Key figures (from declaration at {_when(figures['declared_at'])})", s.h2))
    rows: list[list[Any]] = [[s.p("To"), s.p("Elapsed"), s.p("At"), s.p("Note")]]
    for milestone in figures["milestones"]:
        rows.append(
            [
                [s.p(milestone["label"]), s.p(f"from {milestone['source']}", s.small)],
                s.p(milestone["elapsed"] or "-"),
                s.p(_when(milestone["at"], "%H:%M:%S") or "not yet"),
                s.p(milestone["note"]),
            ]
        )
    story.append(_table(rows, [width * 0.3, width * 0.12, width * 0.13, width * 0.45]))

    patients = figures["patients"]
    labels = patients["category_labels"]
    colour_line = ", ".join(f"{labels[c]}: {n}" for c, n in patients["by_category"].items())
    story.append(
        s.p(
            f"Patients: {patients['total']} ({patients['walk_ins']} walk-in"
            f"{'' if patients['walk_ins'] == 1 else 's'}). {colour_line}.",
        )
    )
    if patients["by_hospital"]:
        rows = [[s.p(h) for h in ("Hospital", "Red", "Yellow", "Green", "Other", "Arrived")]]
        for entry in patients["by_hospital"]:
            counts = entry["by_category"]
            rows.append(
                [
                    s.p(entry["hospital"]),
                    s.p(counts["immediate"]),
                    s.p(counts["delayed"]),
                    s.p(counts["minor"]),
                    s.p(counts["expectant"] + counts["deceased"]),
                    s.p(f"{entry['arrived']} / {entry['total']}"),
                ]
            )
        story += [Spacer(1, 3), _table(rows, [width * 0.4] + [width * 0.12] * 5)]

    checklist = figures["checklist"]
    if checklist:
        story.append(
            s.p(
                f"Checklist: {checklist['template']} v{checklist['version']} - "
                f"{checklist['done']}/{checklist['total']} ({checklist['percent']}%)",
                s.h2,
            )
        )
        rows = [[s.p(h) for h in ("Phase", "Done", "First check", "Last check")]]
        for phase in checklist["phases"]:
            rows.append(
                [
                    s.p(f"{phase['position']}. {phase['title']}"),
                    s.p(f"{phase['done']}/{phase['total']}"),
                    s.p(_check_time(phase["first_checked_at"], phase["first_elapsed"])),
                    s.p(_check_time(phase["last_checked_at"], phase["last_elapsed"])),
                ]
            )
        story.append(_table(rows, [width * 0.5, width * 0.1, width * 0.2, width * 0.2]))

    story.append(s.p("Resources assigned (ICS roles)", s.h2))
    if sheet["assignments"]:
        rows = [[s.p(h) for h in ("Name", "ICS position", "Home agency", "From", "To")]]
        for a in sheet["assignments"]:
            until = _when(a["relieved_at"], "%H:%M:%S") if a["relieved_at"] else "current"
            rows.append(
                [
                    s.p(a["name"] + (f" ({a['note']})" if a["note"] else "")),
                    s.p(a["role_label"]),
                    s.p(a["agency"]),
                    s.p(_when(a["assigned_at"], "%H:%M:%S")),
                    s.p(until),
                ]
            )
        story.append(
            _table(rows, [width * 0.28, width * 0.22, width * 0.26, width * 0.12, width * 0.12])
        )
    else:
        story.append(s.p("No ICS role has been assigned.", s.small))

    story.append(s.p("Activity log", s.h2))
    if sheet["log_note"]:
        story.append(s.p(sheet["log_note"], s.small))
    rows = [[s.p(h) for h in ("#", "Date / time", "Notable activity", "By")]]
    for row in sheet["log"]:
        by = row.actor + (f" - {row.agency}" if row.agency else "")
        rows.append(
            [
                s.p(row.seq),
                s.p(_when(row.at)),
                s.p(f"{row.summary} [{row.kind}]"),
                s.p(by or "-"),
            ]
        )
    story.append(_table(rows, [width * 0.06, width * 0.17, width * 0.55, width * 0.22]))

    prepared = sheet["prepared_by"]
    story += [
        Spacer(1, 10),
        _table(
            [
                [
                    s.box("8. Prepared by: name", prepared["name"]),
                    s.box("Position / title", prepared["title"] or "-", prepared["agency"]),
                    s.box("Signature"),
                    s.box("Date / time", _when(sheet["prepared_at"], "%Y-%m-%d %H:%M")),
                ]
            ],
            [width * 0.28, width * 0.3, width * 0.24, width * 0.18],
            header=False,
        ),
    ]

    footer = f"ASIM record - incident {incident.number}{' - ' + label if label else ''}"

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, footer)
        canvas.drawRightString(letter[0] - MARGIN, MARGIN - 2 * mm, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
