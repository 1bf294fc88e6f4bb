from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Explicit wiring, no Django signals: every incident event is matched against the
        # region's rules inside the event's own transaction (the outbox); the rows created
        # there are handed to Celery when that transaction commits.
        from incidents import events
        from notifications.delivery import progress
        from notifications.services import rules

        events.subscribe_in_transaction(rules.on_event)
        # A hospital's acknowledgement changes what its alerts count as: push their progress.
        events.subscribe(progress.on_event)
