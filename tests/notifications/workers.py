"""A real ``celery -A asim worker`` subprocess for fault tests.

The worker runs against the pytest-django test database (read from ``settings.DATABASES``
inside the test, after the test database exists), the Redis database of ``REDIS_URL`` for
both the broker and the channel layer, and the fake Twilio over real HTTP. It runs beat
embedded (``-B``) with a one-second sweep so that "the sweeper picks it up" happens within a
test's time budget. Each worker gets its own process group, so a SIGKILL takes the pool
children and the embedded beat with it, as a machine or container kill would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 30.0


def database_url() -> str:
    """The URL of the database this test process is using right now (the test database)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        raise RuntimeError("fault tests need REDIS_URL (a Redis database of their own)")
    return url


def flush_redis() -> None:
    """Empty this run's own Redis database (never FLUSHALL: others share the server)."""
    import redis

    redis.Redis.from_url(redis_url()).flushdb()


def worker_env(twilio: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a worker: the test database, our Redis DB, Twilio → the fake."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "asim.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "TWILIO_ACCOUNT_SID": twilio["account_sid"],
            "TWILIO_AUTH_TOKEN": twilio["auth_token"],
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_API_BASE_URL": twilio["url"],
            "PUBLIC_BASE_URL": "https://asim.example.org",
            "NOTIFY_SWEEP_SECONDS": "1",
            "NOTIFY_SWEEP_GRACE_SECONDS": "5",
            "NOTIFY_CLAIM_TIMEOUT_SECONDS": "3",
            "NOTIFY_CONCURRENCY": "50",
            "NOTIFY_BATCH_SIZE": "500",
            "NOTIFY_RETRY_BASE_SECONDS": "0",
            "NOTIFY_RETRY_MAX_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class Worker:
    """One worker process (plus its pool child and embedded beat), logging to a file."""

    def __init__(self, name: str, env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "asim",
            "worker",
            "-B",
            "--schedule",
            str(log_dir / f"{name}-beat-schedule"),
            "-c",
            "1",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the children
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> Worker:
        wait_for(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            timeout=timeout,
            what=f"worker {self.name} to start",
            details=self.log,
        )
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited at start:\n{self.log()[-4000:]}")
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole process group and reap the main process."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # The pool child and beat are in the same group; make sure none outlives the test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def stop(self) -> None:
        """A graceful stop (SIGTERM: warm shutdown), then SIGKILL for whatever is left."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()


class Workers:
    """Starts workers on demand; ``close()`` stops every one of them (fixture teardown)."""

    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.started: list[Worker] = []

    def start(self, name: str) -> Worker:
        worker = Worker(name, self.env, self.log_dir)
        self.started.append(worker)
        return worker.wait_ready()

    def close(self) -> None:
        for worker in self.started:
            worker.stop()


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    details: Callable[[], str] | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` (and ``details()``) on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    extra = f"\n{details()[-4000:]}" if details else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
