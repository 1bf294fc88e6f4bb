"""/api/v1/ routes of the notifications app (see notifications/api.py).

A SimpleRouter with path converters (no API root view): other apps share the prefix.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from notifications import api

router = SimpleRouter(use_regex_path=False)
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("inbox", api.InboxViewSet, basename="inbox")
router.register("notification-rules", api.NotificationRuleViewSet, basename="notification-rule")
router.register("message-templates", api.MessageTemplateViewSet, basename="message-template")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path(
        "incidents/<int:pk>/updates/preview/",
        api.UpdatePreviewView.as_view(),
        name="api-incident-update-preview",
    ),
]
