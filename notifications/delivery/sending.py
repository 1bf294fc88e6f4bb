"""Sending one batch of deliveries: claim, send concurrently, record — few queries per batch.

Django's ORM is synchronous, so all database work stays on the task's thread, while the
provider calls run on the process's long-lived event loop (notifications.delivery.send_loop), at
most ``NOTIFY_CONCURRENCY`` in flight. The two overlap as a pipeline:

1. ``states.claim`` marks the next slice of the batch ``sending`` (one UPDATE … RETURNING,
   ``NOTIFY_CONCURRENCY`` deliveries at a time, keeping up to two slices ahead) before any
   of them is handed to the loop;
2. the loop sends each through its channel's transport (``asend``), connections kept open;
3. as answers come back, ``states.record_outcomes`` writes them in groups (one UPDATE per
   outcome group, every ``NOTIFY_CONCURRENCY`` answers or ``FLUSH_SECONDS``): a provider id
   is saved within moments of its acceptance, which keeps the set of deliveries that a
   killed worker leaves "sending" without a provider id — the only ones that may ever be
   sent twice — to what was actually in flight;
   in-app messages are pushed to their users' groups as soon as they are stored;
4. at the end of the batch, retries are queued with a countdown, progress goes to the boards,
   and a notification with nothing left to send is marked done.

The first accepted alert to a member of a hospital on the incident is reported to the
incident as that hospital's ``hospital.notified`` moment (incidents.services).
"""

from __future__ import annotations

import logging
import queue
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import async_to_sync
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from asim import realtime
from incidents.models import SituationUpdate
from incidents.services import hospital_alert_accepted, situation_update_mark_sent
from notifications import conf
from notifications.delivery import progress
from notifications.delivery.send_loop import Outcome, send_loop
from notifications.delivery.states import Claimed, claim, record_outcomes
from notifications.delivery.transports import OutgoingMessage, TransportError
from notifications.models import Delivery, Notification
from notifications.queue import SEND_DELIVERIES, try_enqueue

logger = logging.getLogger(__name__)
_ID_MARK = 987654321  # stands for the delivery id while building callback URLs once per batch
FLUSH_SECONDS = 0.25  # longest an answer waits before it is written
GATHER_SECONDS = 0.01  # after the first answer, how long more may gather before a write
STALL_SECONDS = 120.0  # no answer at all for this long: the event loop is gone


@dataclass
class BatchReport:
    """What one batch did (for logs, tests and the benchmark)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    notifications: list[int] = field(default_factory=list)


def _url_pattern(name: str) -> str:
    """An absolute webhook URL with ``{}`` where the delivery id goes (reversed once)."""
    path = reverse(name, args=[_ID_MARK])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path.replace(str(_ID_MARK), "{}")


def build_messages(
    claimed: Sequence[Claimed], notifications: Mapping[int, Notification]
) -> tuple[dict[int, OutgoingMessage], dict[int, TransportError]]:
    """The OutgoingMessage of each claimed delivery, and the ones that cannot be built."""
    sms_status = _url_pattern("hooks:sms-status")
    call_status = _url_pattern("hooks:voice-status")
    gather = _url_pattern("hooks:voice-gather")
    messages: dict[int, OutgoingMessage] = {}
    unusable: dict[int, TransportError] = {}
    for item in claimed:
        notification = notifications[item.notification_id]
        texts = notification.texts or {}
        body = texts.get(item.channel) or texts.get("sms") or next(iter(texts.values()), "")
        status_callback = None
        gather_url = None
        if item.channel == "sms":
            status_callback = sms_status.format(item.id)
        elif item.channel == "voice":
            status_callback = call_status.format(item.id)
            gather_url = gather.format(item.id)
        try:
            messages[item.id] = OutgoingMessage(
                channel=item.channel,
                to=item.address,
                body=body,
                subject=notification.subject,
                exercise=notification.exercise,
                life_safety=notification.life_safety,
                status_callback=status_callback,
                gather_url=gather_url,
                key=str(item.id),
            )
        except ValueError as error:
            unusable[item.id] = TransportError(f"cannot build the message: {error}", permanent=True)
    return messages, unusable


def _in_app_envelope(item: Claimed, notification: Notification, at: datetime) -> dict:
    return {
        "type": "message",
        "delivery": item.id,
        "notification": notification.pk,
        "incident": notification.incident_id,
        "kind": notification.kind,
        "text": (notification.texts or {}).get("in_app", ""),
        "life_safety": notification.life_safety,
        "exercise": notification.exercise,
        "at": at.isoformat(),
    }


def push_in_app(items: Sequence[Claimed], notifications: Mapping[int, Notification]) -> None:
    """Push each stored in-app message to its user's group (one event loop for all)."""
    now = timezone.now()
    pushes = [
        (
            realtime.user_group(item.user_id),
            _in_app_envelope(item, notifications[item.notification_id], now),
        )
        for item in items
        if item.user_id is not None
    ]
    if not pushes:
        return

    async def push() -> None:
        for group, envelope in pushes:
            await realtime.asend([group], envelope)

    async_to_sync(push)()


def queue_retries(retry_at: Mapping[int, datetime], *, now: datetime) -> None:
    """Queue one task per group of retries, with a countdown reaching the last one's time
    (a delivery is claimed only once due). A broker that is down is left to the sweeper."""
    batch = conf.get_int("NOTIFY_BATCH_SIZE")
    ordered = sorted(retry_at.items(), key=lambda item: item[1])
    for start in range(0, len(ordered), batch):
        group = ordered[start : start + batch]
        countdown = max(0.0, (group[-1][1] - now).total_seconds())
        try_enqueue(SEND_DELIVERIES, [pk for pk, _ in group], countdown=countdown)


def finish_notifications(notification_ids: Iterable[int]) -> list[int]:
    """Mark done the notifications with no delivery left pending or sending, push their
    final progress; push throttled progress for the others. Returns those marked done."""
    done = []
    for notification_id in notification_ids:
        open_left = Delivery.objects.filter(
            notification_id=notification_id,
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
        ).exists()
        if not open_left and mark_done(notification_id):
            done.append(notification_id)
            progress.push(notification_id, force=True)
        else:
            progress.push(notification_id)
    return done


def mark_done(notification_id: int) -> bool:
    """expanded → done (once); a situation update's notification also reports the update
    sent to the incidents app (its ``sent_at`` and an ``update.sent`` event)."""
    now = timezone.now()
    changed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.EXPANDED
    ).update(state=Notification.State.DONE, done_at=now)
    if changed:
        for update in SituationUpdate.objects.filter(
            notifications__id=notification_id, sent_at__isnull=True
        ).select_related("incident"):
            situation_update_mark_sent(update=update, at=now)
    return bool(changed)


def _load_notifications(
    ids: Iterable[int], into: dict[int, Notification]
) -> dict[int, Notification]:
    missing = set(ids) - set(into)
    if missing:
        for notification in Notification.objects.filter(pk__in=missing).only(
            "id", "kind", "exercise", "life_safety", "subject", "texts", "incident_id", "region_id"
        ):
            into[notification.pk] = notification
    return into


class _Batch:
    """The pipeline of one batch (see the module docstring); runs on the task's thread."""

    def __init__(self, delivery_ids: Sequence[int]) -> None:
        self.todo = deque(sorted({int(i) for i in delivery_ids}))
        self.concurrency = max(1, conf.get_int("NOTIFY_CONCURRENCY"))
        self.loop = send_loop()
        self.limit = self.loop.semaphore(self.concurrency)
        self.answers: queue.SimpleQueue[tuple[Claimed, Outcome]] = queue.SimpleQueue()
        self.outstanding = 0
        self.notifications: dict[int, Notification] = {}
        self.report = BatchReport()
        self.retry_at: dict[int, datetime] = {}
        self.hospitals_alerted: set[tuple[int, int]] = set()  # (incident, hospital) reported

    def top_up(self) -> None:
        """Claim and hand over slices while fewer than two slices' worth are outstanding."""
        while self.todo and self.outstanding < 2 * self.concurrency:
            take = [self.todo.popleft() for _ in range(min(self.concurrency, len(self.todo)))]
            claimed = claim(take, now=timezone.now())
            if not claimed:
                continue
            self.report.claimed += len(claimed)
            _load_notifications({c.notification_id for c in claimed}, self.notifications)
            messages, unusable = build_messages(claimed, self.notifications)
            self.outstanding += len(claimed)
            for item in claimed:
                if item.id in unusable:
                    self.answers.put((item, unusable[item.id]))
            slice_ = [(item, messages[item.id]) for item in claimed if item.id in messages]
            if slice_:
                self.loop.send_each(slice_, self.limit, self._answer)

    def _answer(self, item: Claimed, outcome: Outcome) -> None:
        self.answers.put((item, outcome))  # on the loop thread

    def record(self, answers: list[tuple[Claimed, Outcome]]) -> None:
        if not answers:
            return
        recorded = record_outcomes(
            [item for item, _ in answers],
            {item.id: outcome for item, outcome in answers},
            now=timezone.now(),
        )
        self.report.sent += len(recorded.sent) + len(recorded.in_app)
        self.report.retried += len(recorded.retry_at)
        self.report.failed += len(recorded.failed)
        self.retry_at.update(recorded.retry_at)
        if recorded.in_app:
            # In-app alerts appear on screens as soon as they are stored, not at batch end.
            stored = set(recorded.in_app)
            push_in_app([item for item, _ in answers if item.id in stored], self.notifications)
        self.report_hospitals_alerted([*recorded.sent, *recorded.in_app])

    def report_hospitals_alerted(self, accepted: list[int]) -> None:
        """Tell each incident when its hospitals' first alerts were accepted (one query)."""
        on_incidents = {pk for pk, n in self.notifications.items() if n.incident_id is not None}
        if not accepted or not on_incidents:
            return
        rows = (
            Delivery.objects.filter(
                pk__in=accepted,
                notification_id__in=on_incidents,
                member__agency__hospital__isnull=False,
            )
            .values_list("notification__incident_id", "member__agency__hospital", "channel")
            .order_by("id")
        )
        for incident_id, hospital_id, channel in rows:
            if (incident_id, hospital_id) in self.hospitals_alerted:
                continue
            self.hospitals_alerted.add((incident_id, hospital_id))
            try:
                hospital_alert_accepted(
                    incident_id=incident_id, hospital_id=hospital_id, channel=channel
                )
            except Exception:  # a timeline problem must never stall sending the alerts
                logger.exception("could not record hospital %s as notified", hospital_id)

    def run(self) -> BatchReport:
        buffer: list[tuple[Claimed, Outcome]] = []
        first_at = 0.0  # when the oldest unwritten answer arrived
        self.top_up()
        while self.outstanding:
            if buffer:
                timeout = max(0.0, FLUSH_SECONDS - (time.monotonic() - first_at))
            else:
                timeout = STALL_SECONDS
            got: list[tuple[Claimed, Outcome]] = []
            try:
                got.append(self.answers.get(timeout=timeout))
                # Let answers gather for a moment: waking this thread for every single one
                # would take the GIL from the event loop hundreds of times a second.
                time.sleep(GATHER_SECONDS)
                while True:
                    got.append(self.answers.get_nowait())
            except queue.Empty:
                if not got and not buffer:
                    # Transports time out long before this: the loop is gone. What is left
                    # stays "sending" for the sweeper to release.
                    logger.error("%s sends never answered; leaving them", self.outstanding)
                    break
            if got and not buffer:
                first_at = time.monotonic()
            self.outstanding -= len(got)
            buffer += got
            waited = time.monotonic() - first_at
            if buffer and (
                len(buffer) >= self.concurrency or not self.outstanding or waited >= FLUSH_SECONDS
            ):
                self.record(buffer)
                buffer = []
            self.top_up()
        self.record(buffer)
        return self.report


def send_batch(delivery_ids: Sequence[int]) -> BatchReport:
    """Claim, send and record one batch of deliveries (see the module docstring)."""
    batch = _Batch(delivery_ids)
    report = batch.run()
    if not report.claimed:
        return report
    queue_retries(batch.retry_at, now=timezone.now())
    report.notifications = sorted(batch.notifications)
    finish_notifications(report.notifications)
    return report
