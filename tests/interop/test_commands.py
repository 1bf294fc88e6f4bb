"""The exchange key command, and the demo that proves the CAP sequence and the HAVE feed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from interop.models import ExchangePartner
from tests.interop.test_cap_out import declare

pytestmark = pytest.mark.django_db


def test_create_exchange_partner_prints_a_key_that_reads_the_feed(world) -> None:
    from rest_framework.test import APIClient

    out = StringIO()
    call_command(
        "create_exchange_partner", "region-a", "Aggregator", "--scope", "cap_read", stdout=out
    )
    key = out.getvalue().splitlines()[1]
    partner = ExchangePartner.objects.get()
    assert partner.scopes == ["cap_read"] and partner.key_hash != key
    declare(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/interop/cap/").status_code == 200
    with pytest.raises(CommandError):
        call_command("create_exchange_partner", "nowhere", "X", "--scope", "cap_read")


def test_the_demo_plays_a_valid_exercise_sequence_and_have_feed(tmp_path) -> None:
    out = StringIO()
    call_command("interop_demo", "--out", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "status=Exercise responseType=Prepare references=0" in text
    assert "responseType=AllClear" in text
    assert "INVALID" not in text and "All documents valid" in text
    assert len(list(tmp_path.glob("cap-*-Update.xml"))) >= 2
