"""`manage.py create_exchange_partner <region-code> <name> --scope …`: prints a new key once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Region
from interop.models import ExchangePartner
from interop.services import partner_create


class Command(BaseCommand):
    help = (
        "Create an exchange partner (CAP / EDXL) for a region and print its key (shown only once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", help="Region code, e.g. twin-rivers")
        parser.add_argument("name", help="The partner system's name, e.g. 'State EOC'")
        parser.add_argument(
            "--scope",
            action="append",
            choices=ExchangePartner.Scope.values,
            required=True,
            help="What the key may do; repeat for several.",
        )
        parser.add_argument(
            "--cap-sender", action="append", default=[], help="An accepted CAP sender."
        )
        parser.add_argument(
            "--cap-event", action="append", default=[], help="A CAP event that opens incidents."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"No region with code {options['region']!r}.")
        try:
            partner, key = partner_create(
                region=region,
                name=options["name"],
                scopes=options["scope"],
                cap_senders=options["cap_sender"],
                cap_events=options["cap_event"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Exchange partner {partner.name!r} for {region.name} "
            f"({', '.join(partner.scopes)}). Key (shown once):"
        )
        self.stdout.write(key)
        self.stdout.write(f"Send it as: Authorization: Bearer {key}")
