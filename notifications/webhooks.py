"""Twilio webhooks under /hooks/twilio/: status callbacks, inbound SMS, voice keypresses.

Every view answers 403 unless ``X-Twilio-Signature`` is right. Twilio signs the exact URL it
called plus the POSTed form, so we validate against ``PUBLIC_BASE_URL`` + the request's
path and query — the base we gave Twilio in every StatusCallback and Gather action —
rather than ``request.build_absolute_uri()``: behind a TLS-terminating proxy or a tunnel
the request reaches Django as http://internal-host:8000/…, a URL Twilio never signed, and
trusting the Host / X-Forwarded-* headers to rebuild it would let the caller choose what
is validated. The views are CSRF-exempt (Twilio has no CSRF token; the signature is the
proof of origin) and idempotent: Twilio retries, and callbacks may arrive twice or out of
order.

A signature proves who sent a request, not that it is new: a captured signed request can be
posted again. So every request must name our ``AccountSid`` (else 403); an inbound SMS acts
once per ``MessageSid`` and a keypress once per ``CallSid`` + ``Digits`` (remembered in
HandledTwilioRequest in the action's own transaction; a replay gets 200 and an empty
answer); a status callback must name a ``MessageSid``/``CallSid`` we were given when sending
(else 404).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from notifications import services
from notifications.delivery import progress, states
from notifications.delivery.messages import VOICE_LANGUAGE
from notifications.services import replies

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
SID_MAX_LENGTH = 64  # Twilio's are 34 characters; HandledTwilioRequest.sid holds 64
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def signed_url(request: HttpRequest) -> str:
    """The URL Twilio called, as it signed it: PUBLIC_BASE_URL + path (+ query)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()


def signature_valid(request: HttpRequest) -> bool:
    """Whether the request carries Twilio's signature of ``signed_url`` and its form."""
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(signed_url(request), request.POST, signature)


def from_our_account(request: HttpRequest) -> bool:
    """Whether the request names our Twilio account (the token may sign for subaccounts)."""
    ours = getattr(settings, "TWILIO_ACCOUNT_SID", "") or ""
    return bool(ours) and request.POST.get("AccountSid", "") == ours


def twilio_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, CSRF-exempt, 403 without a valid Twilio signature."""

    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not signature_valid(request):
            logger.warning("Twilio webhook %s refused: missing or wrong signature", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        if not from_our_account(request):
            logger.warning("Twilio webhook %s refused: AccountSid is not ours", request.path)
            return HttpResponseForbidden("Not from this Twilio account.")
        return view(request, *args, **kwargs)

    return wrapped


def _twiml(document: Any) -> HttpResponse:
    return HttpResponse(str(document), content_type="text/xml; charset=utf-8")


def _error_code(request: HttpRequest) -> int | None:
    value = (request.POST.get("ErrorCode") or "").strip()
    return int(value) if value.isdigit() else None


def _status(request: HttpRequest, delivery_id: int | None, *, call: bool) -> HttpResponse:
    provider_id = request.POST.get("CallSid" if call else "MessageSid", "") or ""
    provider_status = request.POST.get("CallStatus" if call else "MessageStatus", "") or ""
    if not states.provider_id_known(delivery_id=delivery_id, provider_id=provider_id):
        logger.warning("Twilio status callback for a SID we never sent: %r", provider_id[:64])
        return HttpResponseNotFound("Unknown MessageSid/CallSid.")
    delivery = states.apply_provider_status(
        delivery_id=delivery_id,
        provider_id=provider_id,
        provider_status=provider_status,
        call=call,
        error_code=_error_code(request),
        now=timezone.now(),
    )
    if delivery is not None:
        progress.push(delivery.notification_id)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@twilio_webhook
def sms_status(request: HttpRequest, delivery_id: int | None = None) -> HttpResponse:
    """A message status callback (``MessageSid``, ``MessageStatus``, ``ErrorCode``)."""
    return _status(request, delivery_id, call=False)


@twilio_webhook
def voice_status(request: HttpRequest, delivery_id: int | None = None) -> HttpResponse:
    """A call status callback (``CallSid``, ``CallStatus``)."""
    return _status(request, delivery_id, call=True)


@twilio_webhook
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """An SMS to our number: ACK, a capacity answer, or help (services/replies.py)."""
    message_sid = request.POST.get("MessageSid", "")
    if not message_sid or len(message_sid) > SID_MAX_LENGTH:
        return HttpResponseBadRequest("A MessageSid is required.")
    with transaction.atomic():
        if not services.twilio_request_claim(sid=message_sid):
            logger.info("Inbound SMS %s was already handled: replay ignored", message_sid[:64])
            return _twiml(MessagingResponse())
        reply = replies.handle_sms(
            from_number=request.POST.get("From", ""), body=request.POST.get("Body", "")
        )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return _twiml(response)


@twilio_webhook
def voice_gather(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The keys pressed during an alert call: 1 acknowledges."""
    call_sid, digits = request.POST.get("CallSid", ""), request.POST.get("Digits", "")
    if not call_sid or len(call_sid) > SID_MAX_LENGTH:
        return HttpResponseBadRequest("A CallSid is required.")
    with transaction.atomic():
        if not services.twilio_request_claim(sid=call_sid, digits=digits[:32]):
            logger.info("Keypress on call %s was already handled: replay ignored", call_sid[:64])
            return _twiml(VoiceResponse())
        said = replies.handle_gather(delivery_id=delivery_id, digits=digits, call_sid=call_sid)
    response = VoiceResponse()
    response.say(said, language=VOICE_LANGUAGE)
    return _twiml(response)
