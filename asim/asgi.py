"""ASGI entry point: Django for HTTP, Channels for the live boards' WebSockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asim.settings")
django_http = get_asgi_application()  # sets Django up before the routing imports models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from asim.routing import websocket_urlpatterns  # noqa: E402
from asim.scheduler import start_embedded_scheduler  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# The embedded mode's beat (sweeper, escalation, capacity reminders); off with a real beat.
start_embedded_scheduler()
