"""WebSocket routes of every app (asim/asgi.py wraps them in session auth and an origin check)."""

from __future__ import annotations

from django.urls import URLPattern, path

from boards.consumers import BoardConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/board/", BoardConsumer.as_asgi(), name="ws-board"),
]
