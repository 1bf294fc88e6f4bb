from __future__ import annotations

import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("asim")


def describe_mode() -> str:
    """One line that says which services this process runs against."""
    database = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    layer = "redis" if settings.REDIS_URL else "in-memory"
    celery = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "redis broker"
    timers = "in-process scheduler" if settings.EMBEDDED_SCHEDULER else "celery beat"
    sms = "twilio" if settings.TWILIO_CONFIGURED else "console (not sent)"
    email = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    mode = "production" if settings.PRODUCTION else "development"
    return (
        f"ASIM {mode} mode — database: {database}; channel layer: {layer}; celery: {celery}; "
        f"timers: {timers}; "
        f"sms/voice: {sms}; email: {email}"
    )


class AsimConfig(AppConfig):
    name = "asim"
    verbose_name = "ASIM"

    def ready(self) -> None:
        from asim import wiring

        wiring.connect()
        logger.info(describe_mode())
