"""The after-action report / improvement plan as a PDF (reportlab), in HSEEP order: overview,
objectives and ratings, key figures against targets, strengths, areas for improvement, the
improvement plan. Every text goes through the record PDF's escaping Paragraph (_Styles.p),
so markup in names or notes prints as written. Exercise reports carry their label.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from readiness.record.pdf import MARGIN, _Styles, _table


def _minutes(seconds: int | None) -> str:
    return "-" if not seconds else f"{seconds // 60} min"


def render_report_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of exercise_views._report_context."""
    report, exercise, label = context["report"], context["exercise"], context["label"]
    s = _Styles()
    width = letter[0] - 2 * MARGIN
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{label + ' - ' if label else ''}{report.title}",
        author="ASIM",
    )
    story: list[Any] = []
    if label:
        story.append(s.p(f"{label} {label} {label}", s.banner))
    story += [
        s.p(report.title, s.title),
        s.p(
            f"After-action report / improvement plan - {report.get_status_display()}"
            + (f" {report.issued_on:%Y-%m-%d}" if report.issued_on else ""),
            s.small,
        ),
        s.p("Exercise overview", s.h2),
    ]
    if exercise is not None:
        story.append(s.p(f"{exercise.name} - {exercise.get_type_display()} ({exercise.category})"))
        if exercise.scenario:
            story.append(s.p(f"Scenario: {exercise.scenario}"))
    story.append(s.p(f"Participating organizations: {', '.join(report.participants) or '-'}"))
    if report.overview:
        story.append(s.p(report.overview))

    if exercise is not None:
        story.append(s.p("Objectives, core capabilities and ratings", s.h2))
        rows = [[s.p(h) for h in ("Objective", "Core capability", "Rating")]]
        for objective in context["objectives"]:
            rating = (
                f"{objective.rating} - {objective.get_rating_display()}"
                if objective.rating
                else "not rated"
            )
            rows.append([s.p(objective.text), s.p(objective.get_capability_display()), s.p(rating)])
        if len(rows) > 1:
            story.append(_table(rows, [width * 0.5, width * 0.3, width * 0.2]))
        else:
            story.append(s.p("No objectives recorded.", s.small))

    story.append(s.p("Key figures against targets", s.h2))
    for snapshot in context["kpis"]:
        story.append(s.p(f"{snapshot['label']} {snapshot['number']} - {snapshot['title']}"))
        rows = [[s.p(h) for h in ("From declaration to", "Elapsed", "Target", "Met")]]
        for m in snapshot["milestones"]:
            met = {True: "yes", False: "NO", None: "-"}[m["met"]]
            rows.append(
                [
                    s.p(m["label"]),
                    s.p(m["elapsed"] or "-"),
                    s.p(_minutes(m["target_seconds"])),
                    s.p(met),
                ]
            )
        story.append(_table(rows, [width * 0.45, width * 0.2, width * 0.2, width * 0.15]))
    if not context["kpis"]:
        story.append(s.p("No incident timeline behind this report: no key figures.", s.small))

    story += [
        s.p("Strengths", s.h2),
        s.p(report.strengths or "Not written yet."),
        s.p("Areas for improvement", s.h2),
        s.p(report.areas_for_improvement or "Not written yet."),
    ]
    if context["show_plan"]:
        story.append(s.p("Improvement plan", s.h2))
        headers = (
            "Issue",
            "Corrective action",
            "Element",
            "Organization",
            "Start",
            "Due",
            "Status",
        )
        rows = [[s.p(h) for h in headers]]
        for row in context["actions"]:
            a = row["action"]
            org = a.agency.name + (f" / {a.contact.full_name}" if a.contact else "")
            status = a.get_status_display() + (" (OVERDUE)" if row["overdue"] else "")
            rows.append(
                [
                    s.p(a.issue),
                    s.p(a.action),
                    s.p(a.get_element_display()),
                    s.p(org),
                    s.p(f"{a.start_on:%Y-%m-%d}"),
                    s.p(f"{a.due_on:%Y-%m-%d}"),
                    s.p(status),
                ]
            )
        if len(rows) > 1:
            story.append(_table(rows, [width * w for w in (0.2, 0.22, 0.1, 0.18, 0.1, 0.1, 0.1)]))
        else:
            story.append(s.p("No corrective actions yet.", s.small))
    story.append(Spacer(1, 6 * mm))
    doc.build(story)
    return buffer.getvalue()
