"""Exchange partners of region A and region B, and helpers to post XML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree
from rest_framework.test import APIClient

from interop.models import ExchangePartner
from interop.services import partner_create

Scope = ExchangePartner.Scope
CAP_SENDER = "eoc@state.example.gov"


def examples() -> Path:
    return Path(settings.STANDARDS_DIR) / "examples"


@dataclass
class Partner:
    partner: ExchangePartner
    client: APIClient


def make_partner(region, name: str, scopes: list[str], **options) -> Partner:
    partner, key = partner_create(region=region, name=name, scopes=scopes, **options)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Partner(partner=partner, client=client)


@pytest.fixture
def reader_a(world) -> Partner:
    return make_partner(world.region_a, "Alert aggregator", [Scope.CAP_READ, Scope.HAVE_READ])


@pytest.fixture
def sender_a(world) -> Partner:
    return make_partner(
        world.region_a,
        "State EOC",
        [Scope.CAP_SEND, Scope.HAVE_SEND],
        cap_senders=[CAP_SENDER, "incident-platform@example.org"],
        cap_events=["Active Shooter", "Mass Casualty"],
        cap_incident_kind="active_shooter",
    )


def post_xml(client: APIClient, url: str, document: bytes | etree._Element):
    body = document if isinstance(document, bytes) else etree.tostring(document)
    return client.generic("POST", url, body, content_type="application/xml")
