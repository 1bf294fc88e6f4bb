"""The live subscriber lists hold exactly what asim/wiring.py declares, each once."""

from __future__ import annotations

from asim import wiring
from incidents import broadcast, events
from notifications.delivery import progress
from notifications.services import rules


def test_in_transaction_subscribers_are_the_notification_rules_only():
    assert events._in_transaction_subscribers == [rules.on_event]


def test_on_commit_subscribers_are_the_boards_then_progress_each_once():
    assert events._on_commit_subscribers == [broadcast.broadcast_event, progress.on_event]


def test_connecting_again_subscribes_nothing_twice():
    wiring.connect()

    assert events._in_transaction_subscribers == [rules.on_event]
    assert events._on_commit_subscribers == [broadcast.broadcast_event, progress.on_event]


def test_every_wire_is_live():
    live = {
        events.subscribe_in_transaction: events._in_transaction_subscribers,
        events.subscribe: events._on_commit_subscribers,
    }
    for hook, subscriber in wiring.WIRES:
        assert live[hook].count(subscriber) == 1
