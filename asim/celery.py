"""The Celery app: the broker is Redis when REDIS_URL is set, otherwise tasks run eagerly."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from asim.logs import add_one_line_filter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asim.settings")

app = Celery("asim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _one_line_worker_logs(logger: logging.Logger, **_: Any) -> None:
    """The worker sets up its own log handlers; they escape messages like Django's do."""
    add_one_line_filter(logger)
