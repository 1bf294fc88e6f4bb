"""What the dispatch board says about alert deliveries, in the words a dispatcher uses: how
many people were reached, who failed and why, what was acknowledged — agreeing with the
hospital rows — sent through the fake Twilio."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Channel, RosterRole
from incidents import services
from notifications.delivery import progress, states
from notifications.models import Delivery
from tests.browser.conftest import elsewhere, live
from tests.factories import ContactPointFactory, MemberFactory
from tests.fakes.twilio_server import FakeTwilioServer
from tests.incidents.conftest import declare
from tests.notifications.helpers import rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REACHED, LANDLINE = "+19375550310", "+19375550311"


@pytest.fixture
def twilio(settings):
    with FakeTwilioServer() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE_URL = fake.url
        settings.TWILIO_CONFIGURED = True
        settings.PUBLIC_BASE_URL = "https://asim.example.org"
        yield fake


def test_dispatch_shows_reached_failed_with_a_reason_and_acknowledged(
    open_board, screenshot, world, twilio, dispatcher_a, nurse_a1
):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    for name, number in (("Reached nurse", REACHED), ("Landline nurse", LANDLINE)):
        member = MemberFactory(
            agency=world.hospital_a1.agency, full_name=name, roles=[RosterRole.ER_CONTACT]
        )
        ContactPointFactory(member=member, channel=Channel.SMS, address=number)
    rule(world, incident_hospitals_er=True)
    twilio.fail_always(LANDLINE, 21614)
    dispatch = open_board("dispatcher_a", "/incidents/")
    live(dispatch)

    incident = elsewhere(lambda: declare(world.region_a, dispatcher_a))
    delivered = Delivery.objects.get(address=REACHED)

    def receipt() -> None:
        states.apply_provider_status(
            delivery_id=delivered.pk,
            provider_id=delivered.provider_id,
            provider_status="delivered",
            call=False,
            error_code=None,
            now=timezone.now(),
        )
        progress.push(delivered.notification_id, force=True)

    elsewhere(receipt)

    detail = dispatch.locator("#incident-detail")
    a1_row = detail.locator(f"tr[data-hospital='{world.hospital_a1.pk}']")
    cell = a1_row.locator("td[data-label='Alert delivered']")
    expect(cell).to_contain_text("1 of 2 reached")
    expect(cell).to_contain_text("1 failed: number not mobile")
    bar = detail.locator(".alert-progress .progress__text")
    expect(bar).to_have_text("Finished: 1 of 2 reached · 1 failed: 1 number not mobile")
    screenshot(dispatch, "01-dispatch-reached-and-failed")

    # The nurse acknowledges on the ER board: the row, the cell and the progress agree.
    row = incident.hospitals.get()
    elsewhere(lambda: services.hospital_acknowledge(actor=nurse_a1, incident_hospital=row))

    expect(bar).to_have_text(
        "Finished: 1 of 2 reached (1 acknowledged) · 1 failed: 1 number not mobile"
    )
    expect(cell).to_contain_text("1 acknowledged")
    expect(a1_row).not_to_contain_text("Not acknowledged")
    expect(dispatch.locator(".incident-card__line").first).to_contain_text(
        "1/1 hospitals acknowledged"
    )
    expect(detail).not_to_contain_text("awaiting receipt")
    screenshot(dispatch, "02-dispatch-acknowledged")
