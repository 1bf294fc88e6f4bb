"""Validation and normalization of roster values (phones, emails, roles)."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from agencies.models import Channel, RosterRole


def normalize_phone(raw: str) -> str:
    """Return the number in E.164 (+15551234567); raises ValidationError if it is not valid."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.")
    try:
        number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{text!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"{text!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored E.164 number as people write it: national format for a number of the
    deployment's country (PHONE_DEFAULT_REGION: "+19375550101" → "(937) 555-0101"),
    international format for others; anything that is not an E.164 number comes back as is."""
    if not value or not value.startswith("+"):
        return value
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    home = phonenumbers.region_code_for_number(number) == settings.PHONE_DEFAULT_REGION
    style = "NATIONAL" if home else "INTERNATIONAL"
    return phonenumbers.format_number(number, getattr(phonenumbers.PhoneNumberFormat, style))


def normalize_address(channel: str, raw: str) -> str:
    """E.164 for sms/voice, a lower-cased email address for email; raises ValidationError."""
    if channel in (Channel.SMS, Channel.VOICE):
        return normalize_phone(raw)
    if channel == Channel.EMAIL:
        address = (raw or "").strip().lower()
        validate_email(address)
        return address
    raise ValidationError(f"Unknown channel {channel!r}.")


def clean_roster_roles(roles: Iterable[str]) -> list[str]:
    valid = set(RosterRole.values)
    cleaned = [role.strip().lower() for role in roles if role and role.strip()]
    unknown = [role for role in cleaned if role not in valid]
    if unknown:
        raise ValidationError(
            f"Unknown role(s): {', '.join(unknown)}. Use: {', '.join(RosterRole.values)}."
        )
    return sorted(set(cleaned))
