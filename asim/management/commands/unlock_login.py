"""`manage.py unlock_login [username] [--address IP]`: end a sign-in lock before its time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asim.login_limit import address_bucket, unlock


class Command(BaseCommand):
    help = (
        "End the sign-in lock of an account (any spelling of its username) and/or of a "
        "client address, and clear their failures. Needs REDIS_URL: the embedded mode keeps "
        "its counters in the server process (restart it instead)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the locked account's username")
        parser.add_argument("--address", help="a locked client address, e.g. 203.0.113.7")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"], options["address"]
        if not username and not address:
            raise CommandError("Name a username, an --address, or both.")
        if address and address_bucket(address) is None:
            raise CommandError(f"Not an IP address: {address!r}.")
        if not settings.REDIS_URL:
            self.stderr.write("Warning: no REDIS_URL, so this clears only this process's cache.")
        unlock(username=username, address=address)
        what = " and ".join(
            part for part in (username and f"account {username!r}", address and address) if part
        )
        self.stdout.write(f"Unlocked {what}.")
