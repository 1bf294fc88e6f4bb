"""Celery tasks of the readiness app (beat entries in asim/settings.py CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from readiness.reminders import send_refresher_reminders


@shared_task(name="readiness.refresher_reminders")
def refresher_reminders() -> int:
    """Daily: queue the training refresher reminders due today (each goes out once)."""
    return send_refresher_reminders(timezone.localdate())
