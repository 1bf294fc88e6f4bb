"""Every change to notifications, rules and message templates that people cause goes through
here; the workers' state changes are in notifications/delivery/.

Each service takes keyword-only arguments, runs in one transaction, validates before it saves
(ValidationError with per-field messages) and records rule and template changes in the audit
log. Permission checks happen in the caller (API views, pages, the admin, webhooks).
"""

from __future__ import annotations

from notifications.services.acknowledgements import (
    Acknowledgement,
    inbox_mark_read,
    mask_number,
    notification_acknowledge,
    via_label,
)
from notifications.services.configuration import (
    message_template_delete,
    message_template_errors,
    message_template_save,
    rule_delete,
    rule_errors,
    rule_save,
)
from notifications.services.twilio_requests import twilio_request_claim

__all__ = [
    "Acknowledgement",
    "inbox_mark_read",
    "mask_number",
    "message_template_delete",
    "message_template_errors",
    "message_template_save",
    "notification_acknowledge",
    "rule_delete",
    "rule_errors",
    "rule_save",
    "twilio_request_claim",
    "via_label",
]
