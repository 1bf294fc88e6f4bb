"""The delivery state machine: legal moves only, claims, and provider callbacks that are
idempotent, monotonic and safe out of order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Discipline
from notifications.delivery import states
from notifications.delivery.transports import SendResult, TransportError
from notifications.models import Delivery, Notification
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(world) -> Delivery:
    member = person(world.em_a, channels=("sms",))
    notification = Notification.objects.create(
        region=world.region_a,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "x"},
        audience={"disciplines": [Discipline.EM]},
        state="expanded",
    )
    point = member.contact_points.get()
    return Delivery.objects.create(
        notification=notification,
        member=member,
        contact_point=point,
        channel="sms",
        address=point.address,
    )


def status_of(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def callback(delivery: Delivery, status: str, *, sid: str = "SM1", code: int | None = None):
    return states.apply_provider_status(
        delivery_id=delivery.pk,
        provider_id=sid,
        provider_status=status,
        call=False,
        error_code=code,
        now=timezone.now(),
    )


# --- the transition table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "current, new, legal",
    [
        ("pending", "sending", True),
        ("sending", "sent", True),
        ("sending", "pending", True),  # retry, or released after a crash
        ("sending", "failed", True),
        ("sent", "delivered", True),
        ("sent", "undelivered", True),
        ("pending", "sent", False),  # never sent without a claim
        ("pending", "delivered", False),
        ("delivered", "sent", False),  # never backwards
        ("delivered", "failed", False),  # the first final status stays
        ("failed", "pending", False),  # a failure is final: no silent resend
        ("sent", "pending", False),  # accepted by the provider: never sent again
        ("sent", "sending", False),
    ],
)
def test_only_legal_moves_are_allowed(current, new, legal):
    assert states.can_transition(current, new) is legal


def test_every_final_status_is_a_dead_end():
    for final in states.FINAL:
        assert states.TRANSITIONS[final] == frozenset()


# --- claims -------------------------------------------------------------------------------------


def test_a_claim_takes_only_due_pending_deliveries_without_a_provider_id(delivery):
    now = timezone.now()
    later = Delivery.objects.create(
        notification=delivery.notification,
        member=delivery.member,
        channel="email",
        address="later@example.org",
        next_attempt_at=now + timedelta(minutes=1),
    )
    accepted = Delivery.objects.create(
        notification=delivery.notification,
        member=delivery.member,
        channel="voice",
        address=delivery.address,
        provider_id="CA1",
    )

    claimed = states.claim([delivery.pk, later.pk, accepted.pk], now=now)

    assert [c.id for c in claimed] == [delivery.pk]
    assert claimed[0].attempts == 1 and claimed[0].address == delivery.address
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_at) == ("sending", now)
    assert states.claim([delivery.pk], now=now) == []  # a second worker gets nothing


def test_recording_never_lowers_a_status_a_callback_already_raised(delivery):
    [claimed] = states.claim([delivery.pk], now=timezone.now())
    # The provider accepted it and its "delivered" callback overtook our write-back.
    assert callback(delivery, "delivered", sid="SM77") is not None

    states.record_outcomes(
        [claimed], {delivery.pk: SendResult("SM77", "queued", "twilio-sms")}, now=timezone.now()
    )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_id) == ("delivered", "SM77")
    assert delivery.sent_at is not None and delivery.delivered_at is not None


def test_a_retry_does_not_touch_a_delivery_that_got_a_provider_id_meanwhile(delivery):
    [claimed] = states.claim([delivery.pk], now=timezone.now())
    callback(delivery, "sent", sid="SM5")

    states.record_outcomes(
        [claimed],
        {delivery.pk: TransportError("timeout", permanent=False)},
        now=timezone.now(),
    )

    assert status_of(delivery) == "sent"


# --- callbacks ----------------------------------------------------------------------------------


def sent(delivery: Delivery, sid: str = "SM1") -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sent", provider_id=sid, sent_at=timezone.now()
    )


def test_callbacks_move_a_delivery_forward(delivery):
    sent(delivery)

    assert callback(delivery, "queued") is None  # nothing to record
    assert callback(delivery, "sent") is None  # already sent
    assert callback(delivery, "delivered") is not None

    assert status_of(delivery) == "delivered"


def test_a_late_sent_after_delivered_changes_nothing(delivery):
    sent(delivery)
    callback(delivery, "delivered")

    assert callback(delivery, "sent") is None
    assert callback(delivery, "sending") is None
    assert status_of(delivery) == "delivered"


def test_the_same_callback_twice_is_recorded_once(delivery):
    sent(delivery)

    first = callback(delivery, "delivered")
    delivered_at = Delivery.objects.get(pk=delivery.pk).delivered_at
    second = callback(delivery, "delivered")

    assert first is not None and second is None
    assert Delivery.objects.get(pk=delivery.pk).delivered_at == delivered_at


def test_the_first_final_status_wins(delivery):
    sent(delivery)
    callback(delivery, "undelivered", code=30003)

    assert callback(delivery, "delivered") is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_code) == ("undelivered", 30003)
    assert "undelivered" in delivery.last_error


def test_a_callback_for_another_sid_is_ignored(delivery):
    sent(delivery, sid="SM-ours")

    assert callback(delivery, "delivered", sid="SM-other") is None
    assert status_of(delivery) == "sent"


def test_an_undeliverable_landline_is_marked_on_the_roster(delivery):
    sent(delivery)

    callback(delivery, "undelivered", code=30006)

    point = delivery.contact_point
    point.refresh_from_db()
    assert point.failing and "landline" in point.last_failure_reason


def test_a_temporary_handset_problem_does_not_mark_the_number(delivery):
    sent(delivery)

    callback(delivery, "undelivered", code=30003)

    delivery.contact_point.refresh_from_db()
    assert not delivery.contact_point.failing


@pytest.mark.parametrize(
    "call_status, ours",
    [
        ("initiated", "sent"),
        ("ringing", "sent"),
        ("in-progress", "sent"),
        ("completed", "delivered"),
        ("busy", "undelivered"),
        ("no-answer", "undelivered"),
        ("failed", "failed"),
    ],
)
def test_call_statuses_map_onto_the_same_machine(call_status, ours):
    assert states.status_from_provider(call_status, call=True) == ours


# --- release after a crash ----------------------------------------------------------------------


def test_a_stale_claim_without_provider_id_is_released_and_one_with_it_is_settled(delivery):
    long_ago = timezone.now() - timedelta(minutes=10)
    other = Delivery.objects.create(
        notification=delivery.notification,
        member=delivery.member,
        channel="voice",
        address=delivery.address,
        status="sending",
        claimed_at=long_ago,
        provider_id="CA9",
    )
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=long_ago)
    fresh = Delivery.objects.create(
        notification=delivery.notification,
        member=delivery.member,
        channel="email",
        address="x@example.org",
        status="sending",
        claimed_at=timezone.now(),
    )

    released, settled = states.release_stale(now=timezone.now(), claim_timeout=120)

    assert (released, settled) == (1, 1)
    assert status_of(delivery) == "pending"
    assert status_of(other) == "sent"
    assert status_of(fresh) == "sending"  # still within its worker's time
