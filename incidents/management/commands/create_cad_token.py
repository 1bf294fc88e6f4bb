"""`manage.py create_cad_token <region-code> <name>`: prints a new CAD key once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Region
from incidents.services.tokens import cad_token_create


class Command(BaseCommand):
    help = "Create a CAD API token for a region and print its key (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", help="Region code, e.g. demo-county")
        parser.add_argument("name", help="The CAD system's name, e.g. 'County CAD'")

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"No region with code {options['region']!r}.")
        try:
            token, key = cad_token_create(region=region, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"CAD token {token.name!r} for {region.name}. Key (shown once):")
        self.stdout.write(key)
        self.stdout.write(f"Send it as: Authorization: Bearer {key}")
