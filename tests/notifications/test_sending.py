"""Sending against the fake Twilio over real HTTP: every provider outcome, retries with
backoff, claims, the concurrency bound, the exercise prefix, email and in-app."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Channel, Discipline, RosterRole
from notifications.delivery.states import backoff_seconds
from notifications.delivery.transports.sms import LIFE_SAFETY_VALIDITY_SECONDS
from notifications.models import Delivery, Notification
from notifications.tasks import send_deliveries, send_notification
from tests.factories import UserFactory
from tests.fakes.twilio_server import Outcome
from tests.notifications.conftest import PUBLIC_BASE_URL
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


def notification_for(world, *, channels=("sms",), **fields) -> Notification:
    values = {
        "region": world.region_a,
        "kind": "incident.declared",
        "channels": list(channels),
        "texts": {c: "MCI declared at Central Mall." for c in channels},
        "subject": "MCI declared",
        "audience": {"disciplines": [Discipline.EM], "roster_roles": [], "on_call_only": False},
    }
    values.update(fields)
    return Notification.objects.create(**values)


def em_person(world, **kwargs):
    return person(world.em_a, roles=[RosterRole.STAFF], **kwargs)


def number_of(member, channel: str = Channel.SMS) -> str:
    return member.contact_points.get(channel=channel).address


@pytest.fixture
def fast(notify_settings, twilio_settings):
    return notify_settings


# --- success ------------------------------------------------------------------------------------


def test_each_channel_is_sent_and_the_provider_id_saved(world, fast, twilio_fake, pushed):
    login = UserFactory()
    member = em_person(world, channels=("sms", "voice", "email"), user=login)
    notification = notification_for(world, channels=("sms", "voice", "email", "in_app"))

    send_notification(notification.pk)

    rows = {d.channel: d for d in notification.deliveries.all()}
    assert {c: d.status for c, d in rows.items()} == {
        "sms": "sent",
        "voice": "sent",
        "email": "sent",
        "in_app": "delivered",
    }
    [sms] = twilio_fake.sent("Messages")
    [call] = twilio_fake.sent("Calls")
    assert rows["sms"].provider_id == sms.sid and rows["voice"].provider_id == call.sid
    assert sms.form["To"] == call.form["To"] == number_of(member)
    assert sms.form["StatusCallback"] == (
        f"{PUBLIC_BASE_URL}/hooks/twilio/sms/status/{rows['sms'].pk}/"
    )
    assert call.form["StatusCallback"] == (
        f"{PUBLIC_BASE_URL}/hooks/twilio/voice/status/{rows['voice'].pk}/"
    )
    assert f"/hooks/twilio/voice/gather/{rows['voice'].pk}/" in call.form["Twiml"]
    assert [m.to for m in mail.outbox] == [[f"{member.pk}.email@example.org"]]
    assert all(d.attempts == 1 and d.sent_at for d in rows.values())
    notification.refresh_from_db()
    assert notification.state == "done"
    # the in-app message went to the user's own group
    messages = [env for groups, env in pushed if groups == [f"user-{login.pk}"]]
    assert [m["text"] for m in messages] == ["MCI declared at Central Mall."]


def test_a_life_safety_sms_gets_a_short_validity_period(world, fast, twilio_fake):
    em_person(world)
    urgent = notification_for(world, life_safety=True)
    routine = notification_for(world)

    send_notification(urgent.pk)
    send_notification(routine.pk)

    first, second = twilio_fake.sent("Messages")
    assert first.form["ValidityPeriod"] == str(LIFE_SAFETY_VALIDITY_SECONDS)
    assert "ValidityPeriod" not in second.form


def test_every_channel_of_an_exercise_says_so_once(world, fast, twilio_fake, pushed):
    login = UserFactory()
    em_person(world, channels=("sms", "voice", "email"), user=login)
    prefix = "EXERCISE EXERCISE EXERCISE"
    notification = notification_for(
        world,
        channels=("sms", "voice", "email", "in_app"),
        exercise=True,
        texts={c: f"{prefix}. Drill at Central Mall." for c in ("sms", "voice", "email", "in_app")},
    )

    send_notification(notification.pk)

    [sms] = twilio_fake.sent("Messages")
    [call] = twilio_fake.sent("Calls")
    [email] = mail.outbox
    [in_app] = [env for groups, env in pushed if env.get("type") == "message"]
    assert sms.form["Body"].startswith(prefix) and sms.form["Body"].count(prefix) == 1
    assert call.form["Twiml"].count(prefix) == 2  # said twice, each time with the prefix once
    assert email.subject.startswith(prefix) and email.body.count(prefix) == 1
    assert in_app["text"].startswith(prefix) and in_app["exercise"] is True


# --- transient errors: retried ------------------------------------------------------------------


@pytest.mark.parametrize(
    "failures",
    [[429, 429], [20429], [500, 503], ["disconnect"]],
    ids=["http-429-twice", "twilio-20429", "server-errors", "dropped-connection"],
)
def test_transient_errors_are_retried_until_accepted(world, fast, twilio_fake, failures):
    member = em_person(world)
    twilio_fake.script(number_of(member), [*failures, 201])
    notification = notification_for(world)

    send_notification(notification.pk)

    delivery = notification.deliveries.get()
    assert delivery.status == "sent"
    assert delivery.attempts == len(failures) + 1
    assert delivery.last_error == ""
    assert len(twilio_fake.sent("Messages")) == 1


def test_a_delivery_that_keeps_failing_gives_up_with_its_last_error(world, fast, twilio_fake):
    fast.NOTIFY_MAX_ATTEMPTS = 3
    member = em_person(world)
    twilio_fake.fail_always(number_of(member), 503)
    notification = notification_for(world)

    send_notification(notification.pk)

    delivery = notification.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "Twilio server error (HTTP 503" in delivery.last_error
    assert "gave up after 3 attempts" in delivery.last_error
    assert delivery.failed_at is not None
    assert len(twilio_fake.requests) == 3
    member.contact_points.get().refresh_from_db()
    assert not member.contact_points.get().failing  # the number is fine; Twilio was not


def test_retries_wait_longer_each_time_with_bounded_jitter(world, fast, twilio_fake):
    fast.NOTIFY_RETRY_BASE_SECONDS = 10
    fast.NOTIFY_RETRY_MAX_SECONDS = 1000
    member = em_person(world)
    twilio_fake.fail_always(number_of(member), 429)
    notification = notification_for(world)
    send_notification(notification.pk)
    delivery = notification.deliveries.get()

    waits = []
    for attempt in (1, 2, 3):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", attempt)
        waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
        # time passes: the retry is due now
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        send_deliveries([delivery.pk])

    assert 4 <= waits[0] <= 10  # 50-100 % of 10 s
    assert 9 <= waits[1] <= 20  # 50-100 % of 20 s
    assert 19 <= waits[2] <= 40  # 50-100 % of 40 s
    assert "rate limiting" in Delivery.objects.get(pk=delivery.pk).last_error


def test_a_retry_queued_too_early_does_not_send_before_its_time(world, fast, twilio_fake):
    fast.NOTIFY_RETRY_BASE_SECONDS = 60
    fast.NOTIFY_RETRY_MAX_SECONDS = 600
    member = em_person(world)
    twilio_fake.script(number_of(member), [429])
    notification = notification_for(world)

    send_notification(notification.pk)  # eager mode runs the retry task at once…
    send_deliveries(list(notification.deliveries.values_list("id", flat=True)))

    assert len(twilio_fake.requests) == 1  # …but it claims nothing before next_attempt_at
    assert notification.deliveries.get().status == "pending"


def test_the_backoff_is_exponential_capped_and_jittered_within_bounds():
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(300, 2 * 2 ** (attempt - 1))
        for _ in range(50):
            wait = backoff_seconds(attempt, base=2, cap=300, rng=rng)
            assert ceiling / 2 <= wait <= ceiling
    spread = {round(backoff_seconds(3, base=2, cap=300, rng=rng), 3) for _ in range(20)}
    assert len(spread) > 10  # jittered, not one fixed delay


def test_a_full_sender_queue_waits_at_least_as_long_as_twilio_asks(world, fast, twilio_fake):
    member = em_person(world)
    twilio_fake.script(number_of(member), [21611])
    notification = notification_for(world)

    send_notification(notification.pk)

    delivery = notification.deliveries.get()
    assert delivery.status == "pending" and delivery.error_code == 21611
    assert (delivery.next_attempt_at - timezone.now()).total_seconds() > 55


# --- permanent errors: not retried --------------------------------------------------------------


@pytest.mark.parametrize(
    "code, reason",
    [
        (21211, "invalid phone number"),
        (21614, "not SMS-capable"),
        (21610, "opted out"),
    ],
)
def test_an_unusable_number_fails_at_once_and_shows_on_the_roster(
    world, fast, twilio_fake, code, reason
):
    member = em_person(world)
    good = em_person(world)
    twilio_fake.fail_always(number_of(member), code)
    notification = notification_for(world)

    send_notification(notification.pk)

    delivery = notification.deliveries.get(member=member)
    assert (delivery.status, delivery.attempts, delivery.error_code) == ("failed", 1, code)
    assert reason in delivery.last_error
    point = member.contact_points.get()
    assert point.failing and reason in point.last_failure_reason
    assert not good.contact_points.get().failing
    assert notification.deliveries.get(member=good).status == "sent"
    assert len([r for r in twilio_fake.requests if r.form["To"] == point.address]) == 1


def test_refused_credentials_are_not_retried_and_blame_no_number(world, fast, twilio_fake):
    member = em_person(world)
    fast.TWILIO_AUTH_TOKEN = "wrong-token"
    notification = notification_for(world)

    send_notification(notification.pk)

    delivery = notification.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "TWILIO_AUTH_TOKEN" in delivery.last_error
    assert not member.contact_points.get().failing
    assert len(twilio_fake.requests) == 1


def test_an_undelivered_voice_call_is_not_a_failed_sms(world, fast, twilio_fake):
    member = em_person(world, channels=("sms", "voice"))
    twilio_fake.fail_always(number_of(member, Channel.VOICE), Outcome(status=400, code=21217))
    notification = notification_for(world, channels=("sms", "voice"))

    send_notification(notification.pk)

    statuses = dict(notification.deliveries.values_list("channel", "status"))
    assert statuses == {"sms": "failed", "voice": "failed"}  # same number: both refused


# --- claims -------------------------------------------------------------------------------------


def test_a_delivery_with_a_provider_id_is_never_sent_again(world, fast, twilio_fake):
    em_person(world)
    notification = notification_for(world)
    send_notification(notification.pk)
    delivery = notification.deliveries.get()
    # Even put back to pending (a confused retry), its provider id keeps it from going out.
    Delivery.objects.filter(pk=delivery.pk).update(status="pending")

    send_deliveries([delivery.pk])
    send_deliveries([delivery.pk])

    assert len(twilio_fake.requests) == 1


def test_a_delivery_claimed_by_another_worker_is_left_alone(world, fast, twilio_fake):
    em_person(world)
    notification = notification_for(world)
    from notifications.delivery.expansion import expand

    expand(notification.pk)
    delivery = notification.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=timezone.now())

    report = send_deliveries([delivery.pk])

    assert report["claimed"] == 0
    assert twilio_fake.requests == []


# --- scale --------------------------------------------------------------------------------------


def test_a_batch_is_sent_concurrently_within_the_bound(world, fast, twilio_fake):
    fast.NOTIFY_CONCURRENCY = 5
    twilio_fake.latency_ms = 60
    for _ in range(20):
        em_person(world)
    notification = notification_for(world)

    started = timezone.now()
    send_notification(notification.pk)
    took = (timezone.now() - started).total_seconds()

    assert notification.deliveries.filter(status="sent").count() == 20
    assert twilio_fake.max_concurrency == 5
    assert took < 20 * 0.06 * 0.6  # well under one-at-a-time (1.2 s): four rounds of five


def test_a_batch_writes_in_slices_not_one_query_per_delivery(world, fast, twilio_fake):
    from notifications.delivery.expansion import expand

    fast.NOTIFY_CONCURRENCY = 50

    def queries_for(count: int) -> int:
        Delivery.objects.all().delete()
        while world.em_a.members.count() < count:
            em_person(world)
        notification = notification_for(world)
        expand(notification.pk)
        ids = list(notification.deliveries.values_list("id", flat=True))
        with CaptureQueriesContext(connection) as captured:
            send_deliveries(ids)
        assert notification.deliveries.filter(status="sent").count() == len(ids)
        return len(captured)

    one_slice = queries_for(10)

    assert queries_for(50) == one_slice <= 10  # claim, load, one write-back, finish
    assert queries_for(200) <= 4 * one_slice  # 0.1 query per delivery at most


def test_deliveries_are_split_into_batches_of_the_configured_size(world, fast, twilio_fake):
    fast.NOTIFY_BATCH_SIZE = 4
    for _ in range(10):
        em_person(world)
    notification = notification_for(world)
    batches = []
    original = send_deliveries.apply_async

    def record(args, **options):
        batches.append(len(args[0]))
        return original(args, **options)

    send_deliveries.apply_async = record
    try:
        send_notification(notification.pk)
    finally:
        del send_deliveries.apply_async

    assert batches == [4, 4, 2]
    assert notification.deliveries.filter(status="sent").count() == 10


# --- email and in-app ---------------------------------------------------------------------------


def test_email_goes_out_through_djangos_mail_backend(world, fast):
    member = em_person(world, channels=("email",))
    notification = notification_for(
        world,
        channels=("email",),
        subject="MCI declared: Central Mall",
        texts={"email": "Body of the alert.\n\nOpen the incident: https://x/incidents/1/"},
    )

    send_notification(notification.pk)

    [email] = mail.outbox
    assert email.to == [f"{member.pk}.email@example.org"]
    assert email.subject == "MCI declared: Central Mall"
    assert "Open the incident" in email.body
    delivery = notification.deliveries.get()
    assert delivery.status == "sent" and delivery.provider_id == email.extra_headers["Message-ID"]


def test_a_refused_email_address_fails_and_is_marked(world, notify_settings, smtp_sink):
    notify_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    notify_settings.EMAIL_HOST = "127.0.0.1"
    notify_settings.EMAIL_PORT = smtp_sink.port
    member = em_person(world, channels=())
    from tests.factories import ContactPointFactory

    point = ContactPointFactory(member=member, channel=Channel.EMAIL, address="nobody@example.org")
    ok = em_person(world, channels=("email",))
    notification = notification_for(world, channels=("email",))

    send_notification(notification.pk)

    assert notification.deliveries.get(member=ok).status == "sent"
    failed = notification.deliveries.get(member=member)
    assert failed.status == "failed" and failed.error_code == 550
    point.refresh_from_db()
    assert point.failing
    assert [m.rcpt_to for m in smtp_sink.received] == [[f"{ok.pk}.email@example.org"]]


def test_without_twilio_sms_goes_to_the_console_and_is_marked_not_sent(
    world, notify_settings, no_twilio_settings
):
    from notifications.delivery.transports.console import console_outbox

    member = em_person(world)
    notification = notification_for(world)

    send_notification(notification.pk)

    [record] = console_outbox()
    assert record.message.to == number_of(member)
    assert notification.deliveries.get().provider_id.startswith("console-")


def test_progress_reaches_the_region_and_incident_boards(world, fast, twilio_fake, pushed):
    from tests.incidents.conftest import declare

    em_person(world)
    incident = declare(world.region_a)
    notification = notification_for(world, incident=incident)

    send_notification(notification.pk)

    progress = [(g, e) for g, e in pushed if e["type"] == "progress"]
    groups, final = progress[-1]
    assert groups == [f"region-{world.region_a.pk}", f"incident-{incident.pk}"]
    assert final["notification"] == notification.pk
    assert final["incident"] == incident.pk
    assert final["total"] == 1
    assert final["counts"]["sent"] == 1 and final["counts"]["pending"] == 0
    assert final["acknowledged"] == 0 and final["kind"] == "incident.declared"


def test_a_stale_claim_older_than_the_timeout_is_not_touched_by_a_new_batch(world, fast):
    em_person(world)
    notification = notification_for(world)
    from notifications.delivery.expansion import expand

    expand(notification.pk)
    long_ago = timezone.now() - timedelta(hours=1)
    notification.deliveries.update(status="sending", claimed_at=long_ago)

    assert send_deliveries(list(notification.deliveries.values_list("id", flat=True))) == {
        "claimed": 0,
        "sent": 0,
        "retried": 0,
        "failed": 0,
    }
