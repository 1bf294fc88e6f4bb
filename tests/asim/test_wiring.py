"""The live subscriber lists hold exactly what asim/wiring.py declares, each once."""

from __future__ import annotations

from asim import wiring
from boards import broadcast
from incidents import events
from incidents.services import lifecycle
from notifications.delivery import progress
from notifications.services import rules
from readiness.subscribers import start_checklist_on_declare


def live_lists() -> tuple[list, list, list]:
    return (
        events._in_transaction_subscribers,
        events._on_commit_subscribers,
        lifecycle._declared_subscribers,
    )


def test_in_transaction_subscribers_are_the_notification_rules_only():
    assert events._in_transaction_subscribers == [rules.on_event]


def test_on_commit_subscribers_are_the_boards_then_progress_each_once():
    assert events._on_commit_subscribers == [broadcast.broadcast_event, progress.on_event]


def test_a_declaration_starts_the_readiness_checklist_only():
    assert lifecycle._declared_subscribers == [start_checklist_on_declare]


def test_connecting_again_subscribes_nothing_twice():
    before = [list(subscribers) for subscribers in live_lists()]

    wiring.connect()

    assert [list(subscribers) for subscribers in live_lists()] == before


def test_every_wire_is_live():
    live = {
        events.subscribe_in_transaction: events._in_transaction_subscribers,
        events.subscribe: events._on_commit_subscribers,
        lifecycle.subscribe_declared: lifecycle._declared_subscribers,
    }
    for hook, subscriber in wiring.WIRES:
        assert live[hook].count(subscriber) == 1
    assert sum(len(subscribers) for subscribers in live_lists()) == len(wiring.WIRES)
