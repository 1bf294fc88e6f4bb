"""Provider webhooks under /hooks/twilio/ (see notifications/webhooks.py).

The delivery id in a callback path comes from the URL we gave Twilio when sending; it is
covered by the signature, so it cannot be changed by anyone else. The id-less status
routes serve callbacks configured on a Messaging Service (found by MessageSid).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications import webhooks

app_name = "hooks"
urlpatterns: list[URLPattern] = [
    path("sms/status/", webhooks.sms_status, name="sms-status-any"),
    path("sms/status/<int:delivery_id>/", webhooks.sms_status, name="sms-status"),
    path("sms/inbound/", webhooks.sms_inbound, name="sms-inbound"),
    path("voice/status/", webhooks.voice_status, name="voice-status-any"),
    path("voice/status/<int:delivery_id>/", webhooks.voice_status, name="voice-status"),
    path("voice/gather/<int:delivery_id>/", webhooks.voice_gather, name="voice-gather"),
]
