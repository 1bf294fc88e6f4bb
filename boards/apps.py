from __future__ import annotations

from django.apps import AppConfig


class BoardsConfig(AppConfig):
    """The live boards: their pages, their WebSocket and the broadcaster that feeds it."""

    name = "boards"

    def ready(self) -> None:
        # Committed timeline events go out to the live boards (boards/broadcast.py).
        from boards import broadcast

        broadcast.register()
