"""Refresher reminders: for each member's latest record of a course that expires within 90
days, one reminder per window (90, 60, 30 days before), to the member and their agency's
admins, by email and in-app through the notification system. A RefresherReminder row per
(record, window) is written in the same transaction as the Notification, so a reminder never
goes out twice; a record first seen inside a narrower window gets only that window's."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from agencies.models import Agency, Member, Role
from notifications import queue
from notifications.models import Notification
from readiness.models import RefresherReminder, TrainingRecord
from readiness.training_queries import due_window, refreshers_due

KIND = "training.refresher_due"
CHANNELS = ["email", "in_app"]


def _admins_of(agency_ids: set[int]) -> dict[int, list[int]]:
    """Roster entries (member ids) of each agency's admins' logins (one query)."""
    found: dict[int, list[int]] = {}
    rows = Member.objects.filter(
        active=True,
        user__memberships__agency_id__in=agency_ids,
        user__memberships__roles__icontains=f'"{Role.AGENCY_ADMIN}"',
    ).values_list("user__memberships__agency_id", "pk")
    for agency_id, member_id in rows:
        found.setdefault(agency_id, []).append(member_id)
    return found


def _texts(record: TrainingRecord, window: int) -> tuple[str, dict[str, str]]:
    member, course = record.member, record.course
    subject = f"Training refresher due: {course.name}"
    when = record.expires_on.strftime("%b %-d, %Y") if record.expires_on else ""
    body = (
        f"{member.full_name} ({member.agency.name}): {course.code} {course.name}, completed "
        f"{record.completed_on:%b %-d, %Y}, expires on {when} (within {window} days). "
        "Book a refresher session."
    )
    return subject, {"email": body, "in_app": body}


def send_refresher_reminders(today: date) -> int:
    """Create the reminders due on `today` and queue them; returns how many were created."""
    due = list(refreshers_due(Agency.objects.filter(active=True), today))
    if not due:
        return 0
    sent = set(RefresherReminder.objects.filter(record__in=due).values_list("record_id", "window"))
    pending = [(r, due_window(r, today)) for r in due if (r.pk, due_window(r, today)) not in sent]
    if not pending:
        return 0
    admins = _admins_of({record.member.agency_id for record, _ in pending})
    ids: list[int] = []
    with transaction.atomic():
        for record, window in pending:
            subject, texts = _texts(record, window)
            audience = sorted({record.member_id, *admins.get(record.member.agency_id, [])})
            notification = Notification.objects.create(
                region_id=record.member.agency.region_id,
                kind=KIND,
                channels=CHANNELS,
                subject=subject,
                texts=texts,
                audience={"members": audience},
            )
            RefresherReminder.objects.create(
                record=record, window=window, notification=notification
            )
            ids.append(notification.pk)
        queue.notifications_on_commit(ids)
    return len(ids)
