"""`{{ number|phone }}`: a stored E.164 number as people of the region write it."""

from __future__ import annotations

from django import template

from agencies.validation import phone_display

register = template.Library()


@register.filter(name="phone")
def phone(value: object) -> str:
    """National format for the deployment's country, international otherwise; an email address
    or any other text passes unchanged."""
    return phone_display("" if value is None else str(value))
