"""A locked sign-in in a real browser: the page says why and at what time to try again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_locked_account_is_told_when_to_try_again(page, screenshot, settings, nurse_a1):
    settings.LOGIN_FAILURE_LIMIT = 2
    page.goto("/accounts/login/")
    for password in ("wrong-1", "wrong-2", PASSWORD):
        page.get_by_label("Username").fill("nurse_a1")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-in attempts for this account")
    expect(alert).to_contain_text(re.compile(r"try again at \d\d:\d\d \w+ \(in about 15 minutes\)"))
    assert "/accounts/login/" in page.url
    screenshot(page, "login-locked")
