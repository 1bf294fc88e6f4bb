"""Browser tests: a headless Chromium driven by Playwright's sync API against pytest-django's
`live_server`.

Fixtures for every browser test:
    browser      the Chromium (one per test module); Debian's /usr/bin/chromium, no download
    page         a fresh page (own cookies) at 1366x900 whose base URL is the live server;
                 an uncaught JavaScript error on it fails the test
    sign_in      sign_in(page, "username") logs in through the real login form
    screenshot   screenshot(page, "step") saves test-artifacts/screenshots/<test>--<step>.png
    assert_accessible
                 assert_accessible(page, "what is shown") runs axe-core's WCAG 2.1 A/AA rules
                 on the page as it is now and fails with a readable list of violations

For the live boards (WebSockets), at the end of this file:
    asgi_server  uvicorn serving the production ASGI app in a subprocess (one per module), on
                 the test database and the Redis channel layer; stop() / start() keep its port
    open_board   open_board("username", "/path/"): a signed-in page in its own context on it
                 (keyword arguments go to the context, e.g. timezone_id="Asia/Tokyo")

Helpers for the boards' tests (import them from here):
    live(page)   waits until the board's socket is live
    elsewhere(work)  runs work() in another thread, so that its commits broadcast for real
    lose_broadcasts_while(monkeypatch, work)  runs work() with its broadcasts lost
    acknowledged_incident(world, dispatcher, nurse, title)  an MCI that A1 has acknowledged
    send_a_patient_unseen(monkeypatch, world, dispatcher, incident)  G-1 to A1, not broadcast

Tests need `@pytest.mark.browser` and a transactional database (the live server runs in
another thread, so it must see committed data): `pytest.mark.django_db(transaction=True)`.
Without Chromium they are skipped with the reason shown; ASIM_REQUIRE_BROWSER=1 (CI) turns
that into a failure so a missing browser cannot pass unnoticed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from incidents import services
from tests.factories import PASSWORD
from tests.incidents.conftest import declare

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[object]:
    """Chromium for one test module.

    Module scope on purpose: Playwright's sync API keeps an asyncio loop running in the main
    thread while it is open, which would break later non-browser tests (asyncio.run, Django's
    async-safety check). The test database is created before the loop starts; while it runs,
    the synchronous ORM calls the tests make (factories, asserts, flushes) are allowed.
    """
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}: browser tests skipped"
        if os.environ.get("ASIM_REQUIRE_BROWSER") == "1":
            pytest.fail(reason.replace("skipped", "required by ASIM_REQUIRE_BROWSER=1"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _no_login_lockouts() -> Iterator[None]:
    cache.clear()  # no login lockout carried over from another test
    yield
    cache.clear()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A page in its own browser context; an uncaught JavaScript error fails the test."""
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not script_errors, f"JavaScript errors on the page: {script_errors}"


@pytest.fixture
def sign_in() -> Callable[..., None]:
    def _sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        if "/accounts/login/" in page.url:
            alert = page.locator("[role=alert]")
            problem = alert.inner_text() if alert.count() else "no message"
            raise AssertionError(f"{username} could not sign in: {problem}")

    return _sign_in


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w-]+", "_", request.node.name)

    def _screenshot(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot


# WCAG 2.1 level A and AA: what the project promises for every page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now, one readable line per
    element: rule id, impact, target selector, what to fix. axe.min.js ships with
    axe-playwright-python (no network); injected on each call because navigation drops it."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    lines = []
    for rule in results["violations"]:
        for node in rule["nodes"]:
            target = ", ".join(map(str, node["target"]))
            line = f"{rule['id']} ({rule['impact']}) {target}: {rule['help']}"
            if node.get("failureSummary"):  # the check that failed, e.g. the contrast ratio
                line += f" — {node['failureSummary'].splitlines()[-1].strip()}"
            lines.append(line)
    return lines


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    def _assert_accessible(page, context_note: str) -> None:
        violations = axe_violations(page)
        assert not violations, (
            f"axe-core WCAG 2.1 AA violations on {context_note} ({page.url}):\n  "
            + "\n  ".join(violations)
        )

    return _assert_accessible


# --- a live ASGI server (HTTP + WebSockets) for the live boards --------------------------------
#
# pytest-django's `live_server` speaks WSGI only; the boards need WebSockets. `asgi_server`
# runs the production ASGI application under uvicorn in a subprocess, on PostgreSQL (the
# pytest-django test database: tests using it need `django_db(transaction=True)` so the
# server sees their data) and on the same Redis channel layer. It can be stopped and started
# again on the same port, to show a board riding out a lost connection.

# The server process is the production application, plus the suite's fast password hasher
# (tests/conftest.py) so that personas created by a test can sign in.
SERVER_CODE = """
import sys
from django.conf import settings
settings.PASSWORD_HASHERS = [
    *settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"
]
import uvicorn
uvicorn.run("asim.asgi:application", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
SERVER_LOG = SCREENSHOTS.parent / "asgi-server.log"


def _database_url() -> str:
    db = connection.settings_dict  # after django_db_setup: the test database
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += f":{quote(db['PASSWORD'])}"
    host = f"{auth}@" if auth else ""
    return f"postgres://{host}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AsgiServer:
    """uvicorn serving asim.asgi in a subprocess; `stop()` and `start()` keep the port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
        log = SERVER_LOG.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER_CODE, str(self.port)],
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the ASGI server exited; see {SERVER_LOG}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the ASGI server did not answer within {timeout} s; see {SERVER_LOG}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def asgi_server(browser, django_db_setup: None) -> Iterator[AsgiServer]:
    """The live ASGI server for one test module (after the browser, so it is skipped with it)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asim.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    SERVER_LOG.write_bytes(b"")  # this module's server only
    server = AsgiServer(env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def open_board(browser, asgi_server, sign_in) -> Iterator[Callable[..., object]]:
    """open_board(username, path, **context_options): a signed-in page in its own browser
    context (its own cookies: several users at once) on the ASGI server; uncaught JavaScript
    errors fail the test."""
    contexts = []
    script_errors: list[str] = []

    def _open(username: str, path: str = "/", **context_options: Any) -> object:
        context = browser.new_context(
            viewport=VIEWPORT, base_url=asgi_server.url, **context_options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        # Every page of the context, including tabs a test opens later.
        context.on("weberror", lambda error: script_errors.append(f"{username}: {error.error}"))
        page = context.new_page()
        sign_in(page, username)
        page.goto(path)
        return page

    try:
        yield _open
    finally:
        for context in contexts:
            context.close()
    assert not script_errors, f"JavaScript errors on the boards: {script_errors}"


# --- helpers for the boards' tests -------------------------------------------------------------


def live(page) -> None:
    """Wait until the board's socket is live."""
    from playwright.sync_api import expect

    expect(page.locator("#connection")).to_have_text("Live")


def elsewhere(work: Callable[[], Any]) -> Any:
    """Run `work` in another thread, as a second server process or a worker would: its commits
    broadcast for real (this thread cannot — Playwright's event loop runs in it)."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(work())
        except BaseException as error:  # pragma: no cover - re-raised below
            box.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def lose_broadcasts_while(monkeypatch: pytest.MonkeyPatch, work: Callable[[], Any]) -> list[str]:
    """Run `work()` with its commits' broadcasts lost (as when Redis blips); the kinds lost."""
    lost: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(
            "boards.broadcast.realtime.send", lambda groups, env: lost.append(env["kind"])
        )
        work()
    return lost


def acknowledged_incident(world, dispatcher, nurse, title: str, **declare_options: Any):
    """An MCI of region A that A1 (the nurse's hospital) has acknowledged."""
    incident = declare(world.region_a, dispatcher, title=title, **declare_options)
    row = incident.hospitals.get(hospital=world.hospital_a1)
    services.hospital_acknowledge(actor=nurse, incident_hospital=row)
    return incident


def send_a_patient_unseen(monkeypatch: pytest.MonkeyPatch, world, dispatcher, incident) -> None:
    """Patient G-1 registered and on its way to A1, its two events' broadcasts lost."""

    def work() -> None:
        (patient,) = services.patient_register(
            actor=dispatcher,
            incident=incident,
            patients=[
                {"tag_number": "G-1", "category": "delayed", "destination": world.hospital_a1}
            ],
        )
        services.patients_transport(
            actor=dispatcher, incident=incident, patients=[patient], unit="Medic 9"
        )

    assert lose_broadcasts_while(monkeypatch, work) == [
        "patient.registered",
        "patient.transported",
    ]
