"""Which app hears which: every subscription between apps, declared here and connected once
at startup (AsimConfig.ready; Django loads every app's models before any ready() runs).

Incidents knows nothing of its listeners: it calls the subscribers registered with
``incidents.events`` and ``incidents.services.lifecycle``. Lower apps never import higher ones
(agencies ← incidents ← notifications ← interop ← readiness ← boards), so the project wires them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boards import broadcast
from incidents import events
from incidents.services.lifecycle import subscribe_declared
from notifications.delivery import progress
from notifications.services import rules
from readiness.subscribers import start_checklist_on_declare

Hook = Callable[[Any], Callable[[], None]]

WIRES: tuple[tuple[Hook, Callable[..., None]], ...] = (
    # Inside the event's transaction: the region's rules create their Notification rows (the
    # outbox), so they commit or roll back with the change.
    (events.subscribe_in_transaction, rules.on_event),
    # After the commit: the live boards get the event…
    (events.subscribe, broadcast.broadcast_event),
    # …and a hospital's acknowledgement pushes its alerts' progress again.
    (events.subscribe, progress.on_event),
    # A declared incident starts its region's adopted checklist in the declaring transaction.
    (subscribe_declared, start_checklist_on_declare),
)

_connected = False


def connect() -> None:
    """Subscribe every wire (once, however often it is called)."""
    global _connected
    if _connected:
        return
    for hook, subscriber in WIRES:
        hook(subscriber)
    _connected = True
