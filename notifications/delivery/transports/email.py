"""Email through Django's mail framework and the backend configured by ``EMAIL_URL``.

The asynchronous path runs the blocking SMTP exchange in a thread (``asyncio.to_thread``,
inherited from Transport).
"""

from __future__ import annotations

import re
import secrets
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.delivery.messages import email_subject, outgoing_text
from notifications.delivery.transports.base import (
    DeliveryChannel,
    OutgoingMessage,
    SendResult,
    Transport,
    TransportError,
)
from notifications.delivery.transports.console import PROVIDER_ID_PREFIX

EMAIL_TIMEOUT_SECONDS = 30.0
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def _message_id(key: str) -> str:
    # Our own Message-ID (instead of Django's, which resolves the host's FQDN) doubles as the
    # provider id. Short, so the header is not folded; random, so a retry gets a new one.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "asim.localhost"
    local = re.sub(r"[^A-Za-z0-9_-]", "", key)[:40]
    return f"<{local + '.' if local else ''}{secrets.token_hex(8)}@{domain}>"


def _smtp_error(exc: Exception) -> TransportError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        return TransportError(
            f"mail server refused the recipient ({', '.join(map(str, codes))})",
            permanent=permanent,
            code=codes[0] if codes else None,
            bad_address=permanent,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransportError(
            f"mail server rejected our login ({exc.smtp_code}): check EMAIL_URL",
            permanent=True,
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        # 4xx is "try again later" in SMTP; 5xx is final.
        return TransportError(
            f"mail server answered {exc.smtp_code}: {exc.smtp_error!r}",
            permanent=exc.smtp_code >= 500,
            code=exc.smtp_code,
        )
    return TransportError(
        f"could not reach the mail server: {type(exc).__name__}: {exc}", permanent=False
    )


class EmailTransport(Transport):
    """One email per message through the configured backend; raises TransportError on failure."""

    kind = DeliveryChannel.EMAIL.value
    label = DeliveryChannel.EMAIL.label
    sent_by = "email"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The EmailMessage for ``message``: exercise-prefixed subject and body, our Message-ID."""
        return EmailMessage(
            subject=email_subject(message.subject, message.body, exercise=message.exercise),
            body=outgoing_text(message.body, exercise=message.exercise),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": _message_id(message.key)},
        )

    def send(self, message: OutgoingMessage) -> SendResult:
        email = self.build(message)
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS
        try:
            connection = get_connection(fail_silently=False, timeout=timeout)
            sent = connection.send_messages([email])
        except (smtplib.SMTPException, OSError) as exc:  # incl. timeouts, refused connections
            raise _smtp_error(exc) from exc
        if not sent:
            raise TransportError("the mail backend sent nothing", permanent=False)
        provider_id = email.extra_headers["Message-ID"]
        if settings.EMAIL_BACKEND == CONSOLE_BACKEND:
            # Printed, not sent: say so on the boards (the random part stays within 64).
            provider_id = (PROVIDER_ID_PREFIX + provider_id)[:64]
        return SendResult(provider_id=provider_id, status="sent", sent_by=self.sent_by)
