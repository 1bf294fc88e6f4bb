"""Replay protection for Twilio webhooks."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import (
    HandledTwilioRequest,
)

Actor = AbstractBaseUser | None


def twilio_request_claim(*, sid: str, digits: str = "", now: datetime | None = None) -> bool:
    """Record that the Twilio request ``sid`` (+ ``digits``) is being acted on; False when it
    was already (a replay). Call it inside the action's transaction: a concurrent duplicate
    waits on the unique index until that transaction ends, then gets False — or, if the action
    rolled back, acts itself."""
    try:
        with transaction.atomic():
            HandledTwilioRequest.objects.create(
                sid=sid, digits=digits, handled_at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True
