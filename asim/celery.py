"""The Celery app: the broker is Redis when REDIS_URL is set, otherwise tasks run eagerly."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asim.settings")

app = Celery("asim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
