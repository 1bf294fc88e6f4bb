from __future__ import annotations

from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"

    def ready(self) -> None:
        # The checklist and role event kinds join the incident timeline (what readiness does
        # when an incident is declared is wired in asim/wiring.py).
        from readiness import events

        events.register_kinds()
