"""`manage.py seed_demo`: create the demo region (idempotent) and print the demo logins.

A project command, not an agencies one: it seeds every app, and agencies imports no app above
it. Each app's demo module seeds only its own records (agencies ← incidents ← notifications).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from agencies.demo import DEMO_PASSWORD, login_table, seed_demo_region
from notifications.demo import seed_demo_notifications
from readiness.demo import seed_demo_checklist, seed_demo_exercises, seed_demo_training
from readiness.governance_demo import seed_demo_governance
from readiness.plan_demo import seed_demo_plan


class Command(BaseCommand):
    help = (
        "Create the Twin Rivers County demo region (agencies, hospitals, rosters, lists and "
        "one login per role) where missing, and print the demo logins. Safe to run again: "
        "existing records are left as they are."
    )

    def add_arguments(self, parser: Any) -> None:
        # Opt-in: playing the exercise incident alerts the demo hospitals and costs a few
        # hundred queries, which the plain seed (run by `make run`) keeps out.
        parser.add_argument(
            "--exercises",
            action="store_true",
            help="Also seed the exercise programme (a rated tabletop, a functional exercise "
            "played as an exercise incident, its after-action report) and the regional plan's "
            "documents and agencies' alignment (once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = seed_demo_region()
        report.created["notification defaults"] += seed_demo_notifications()
        elapsed = time.monotonic() - started
        outcome = (
            f"created {report.created_total} records"
            if report.created_total
            else "already seeded, nothing changed"
        )
        self.stdout.write(
            f"Demo region {report.region}: {report.agencies} agencies "
            f"({report.hospitals} hospitals), {report.members} members, "
            f"{report.contact_points} contact points, {report.lists} lists; "
            f"{outcome} ({elapsed:.1f}s)."
        )
        seed_demo_checklist()  # the default checklist, adopted once
        seed_demo_training()  # the catalogue, and two years of sessions the first time
        if options.get("exercises"):
            self.stdout.write(seed_demo_exercises())  # once: a county with exercises is kept
            seed_demo_plan()  # plan documents and uneven alignment, the first time
            self.stdout.write(seed_demo_governance())  # once: the committee, channels, funding
        self.stdout.write(login_table(report.logins, DEMO_PASSWORD))
