from __future__ import annotations

from django.apps import AppConfig


class BoardsConfig(AppConfig):
    """The live boards: their pages, their WebSocket and the broadcaster that feeds it."""

    name = "boards"
