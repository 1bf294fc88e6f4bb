"""Browser tests: a headless Chromium driven by Playwright's sync API against pytest-django's
`live_server`.

Fixtures for every browser test:
    browser      the Chromium (one per test module); Debian's /usr/bin/chromium, no download
    page         a fresh page (own cookies) at 1366x900 whose base URL is the live server;
                 an uncaught JavaScript error on it fails the test
    sign_in      sign_in(page, "username") logs in through the real login form
    screenshot   screenshot(page, "step") saves test-artifacts/screenshots/<test>--<step>.png

Tests need `@pytest.mark.browser` and a transactional database (the live server runs in
another thread, so it must see committed data): `pytest.mark.django_db(transaction=True)`.
Without Chromium they are skipped with the reason shown; ASIM_REQUIRE_BROWSER=1 (CI) turns
that into a failure so a missing browser cannot pass unnoticed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD

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
