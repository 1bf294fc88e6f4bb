from __future__ import annotations

from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"

    def ready(self) -> None:
        # The checklist and role event kinds join the incident timeline, and a declared
        # incident starts its region's adopted checklist in the declaring transaction.
        from readiness import events, subscribers

        events.register_kinds()
        subscribers.register()
