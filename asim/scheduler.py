"""The embedded mode's beat: the periodic tasks of ``CELERY_BEAT_SCHEDULE`` run in-process.

`make run` has no Celery beat (nor worker: tasks run eagerly), so without this nothing would
sweep stuck notifications, escalate a hospital that has not acknowledged or flag an overdue
capacity answer. One daemon thread per process runs each scheduled task when it is due,
reading the very schedule beat reads (asim/settings.py), so the two modes cannot drift apart.
It starts from asim/asgi.py when ``EMBEDDED_SCHEDULER`` is on (default: the embedded mode,
i.e. eager Celery and no Redis); tests start one only when they ask for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_started: EmbeddedScheduler | None = None
_start_lock = threading.Lock()


class EmbeddedScheduler:
    """Runs the tasks of a beat schedule in one daemon thread, each when it is due."""

    def __init__(self, schedule: Mapping[str, Mapping[str, Any]], *, tick: float = 1.0) -> None:
        from asim.celery import app

        app.loader.import_default_modules()  # registers the apps' tasks
        self.app = app
        self.tick = tick
        self.entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"], app=app))
            for name, entry in schedule.items()
        }
        self.last_run: dict[str, Any] = {}
        self.runs: dict[str, int] = dict.fromkeys(self.entries, 0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> float:
        """Run every task that is due now; returns the seconds until the next one is."""
        wait = self.tick
        for name, (task_name, schedule) in self.entries.items():
            last = self.last_run.get(name)
            if last is None or schedule.is_due(last)[0]:  # the first run is at start-up
                self.last_run[name] = schedule.now()
                self._run(name, task_name)
            next_in = schedule.is_due(self.last_run[name])[1]
            wait = min(wait, max(float(next_in), 0.05))
        return wait

    def _run(self, name: str, task_name: str) -> None:
        close_old_connections()
        try:
            # apply(): run here and now, whatever CELERY_TASK_ALWAYS_EAGER says.
            result = self.app.tasks[task_name].apply()
            if result.failed():
                logger.warning("scheduled task %s failed: %s", name, result.result)
        except Exception:  # a failing run must not stop the next one
            logger.exception("scheduled task %s failed", name)
        finally:
            self.runs[name] += 1
            close_old_connections()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.run_due())

    def start(self) -> EmbeddedScheduler:
        self._thread = threading.Thread(target=self._loop, name="asim-scheduler", daemon=True)
        self._thread.start()
        logger.info("embedded scheduler: running %s in-process", ", ".join(self.entries))
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def start_embedded_scheduler() -> EmbeddedScheduler | None:
    """Start the process's scheduler once, when ``EMBEDDED_SCHEDULER`` is on."""
    global _started
    if not settings.EMBEDDED_SCHEDULER:
        return None
    with _start_lock:
        if _started is None:
            _started = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE).start()
    return _started
