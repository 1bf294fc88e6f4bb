"""Phones are stored in E.164; emails lower-cased; roster roles from the known set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agencies.validation import clean_roster_roles, normalize_address, normalize_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(937) 224-5100", "+19372245100"),
        ("937.224.5100", "+19372245100"),
        ("+1 937 224 5100", "+19372245100"),
        ("1-937-224-5100", "+19372245100"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "+1 555", "not a phone", "+1 937 224 51000"])
def test_invalid_phone_numbers_are_refused_with_a_reason(raw):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    assert caught.value.messages[0]


def test_email_addresses_are_validated_and_lower_cased():
    assert normalize_address("email", " Charge.Nurse@Example.ORG ") == "charge.nurse@example.org"
    with pytest.raises(ValidationError):
        normalize_address("email", "charge nurse at example.org")


def test_sms_and_voice_addresses_are_phone_numbers():
    assert normalize_address("sms", "937-224-5100") == "+19372245100"
    assert normalize_address("voice", "937-224-5100") == "+19372245100"
    with pytest.raises(ValidationError):
        normalize_address("fax", "937-224-5100")


def test_roster_roles_are_cleaned_and_unknown_ones_named():
    assert clean_roster_roles([" ER_contact", "supervisor", "er_contact", ""]) == [
        "er_contact",
        "supervisor",
    ]
    with pytest.raises(ValidationError, match="janitor"):
        clean_roster_roles(["janitor"])
