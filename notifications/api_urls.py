"""/api/v1/ routes of the notifications app (see notifications/api.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications import api

urlpatterns: list[URLPattern] = [
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/",
        api.NotificationDetailView.as_view(),
        name="api-notification",
    ),
    path(
        "notifications/<int:pk>/deliveries/",
        api.NotificationDeliveriesView.as_view(),
        name="api-notification-deliveries",
    ),
    path("inbox/", api.InboxView.as_view(), name="api-inbox"),
    path(
        "inbox/<int:pk>/read/",
        api.InboxActionView.as_view(action_name="read"),
        name="api-inbox-read",
    ),
    path(
        "inbox/<int:pk>/acknowledge/",
        api.InboxActionView.as_view(action_name="acknowledge"),
        name="api-inbox-acknowledge",
    ),
    path("notification-rules/", api.RuleListView.as_view(), name="api-notification-rules"),
    path(
        "notification-rules/<int:pk>/",
        api.RuleDetailView.as_view(),
        name="api-notification-rule",
    ),
    path("message-templates/", api.MessageTemplateListView.as_view(), name="api-message-templates"),
    path(
        "message-templates/<int:pk>/",
        api.MessageTemplateDetailView.as_view(),
        name="api-message-template",
    ),
    path(
        "incidents/<int:pk>/updates/preview/",
        api.UpdatePreviewView.as_view(),
        name="api-incident-update-preview",
    ),
]
