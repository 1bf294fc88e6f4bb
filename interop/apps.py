from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Standards exchange (CAP, EDXL)"

    def ready(self) -> None:
        checks.register(standards_present)


def standards_present(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Say at start-up, not at the first partner's POST, that incoming CAP/HAVE/DE documents
    cannot be validated (they are refused with 503 until the schemas are there)."""
    schema = Path(settings.STANDARDS_DIR) / "xsd" / "CAP-v1.2.xsd"
    if schema.is_file():
        return []
    return [
        checks.Warning(
            f"The OASIS schemas are not at {settings.STANDARDS_DIR}.",
            hint="Set ASIM_STANDARDS_DIR to the folder holding xsd/ and examples/.",
            id="interop.W001",
        )
    ]
