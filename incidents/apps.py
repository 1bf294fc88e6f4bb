from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # Committed timeline events go out to the live boards (incidents/broadcast.py).
        from incidents import broadcast

        broadcast.register()
