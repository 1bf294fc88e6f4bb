"""One sign-in limit for every way in (asim/login_limit.py): all spellings of an account
share it, the admin's login obeys it, a client address has its own, and a locked user is
told when to try again."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from agencies.models import Role
from tests.factories import PASSWORD, UserFactory, user_with_roles

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def full_width(text: str) -> str:
    """The full-width look-alike of ASCII text (NFKC maps it back)."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


FULL_WIDTH_NURSE3 = full_width("nurse3")


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Failure counters live in the cache; no test may inherit another's lockout."""
    settings.LOGIN_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nurse3(world):
    return user_with_roles(world.hospital_a1.agency, Role.HOSPITAL, username="nurse3")


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def sign_in(client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, url: str, username: str, times: int, **extra) -> None:
    for _ in range(times):
        sign_in(client, url, username, "not-the-password", **extra)


def test_the_full_width_look_alike_of_a_locked_user_cannot_sign_in(client, nurse3):
    fail(client, LOGIN, "nurse3", 3)
    response = sign_in(client, LOGIN, FULL_WIDTH_NURSE3, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_spelling_variants_share_one_account_limit(client, nurse3):
    for variant in (FULL_WIDTH_NURSE3, full_width("NURSE3"), "nurse" + full_width("3")):
        sign_in(client, LOGIN, variant, "not-the-password")
    response = sign_in(client, LOGIN, "nurse3", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_look_alike_signs_in_with_the_right_password_when_not_locked(client, nurse3):
    """The control: NFKC makes the look-alike the same account, so it may sign in."""
    fail(client, LOGIN, "nurse3", 2)
    response = sign_in(client, LOGIN, FULL_WIDTH_NURSE3, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_clears_the_accounts_failures(client, nurse3):
    fail(client, LOGIN, "nurse3", 2)
    assert sign_in(client, LOGIN, "nurse3", PASSWORD).status_code == 302
    client.logout()
    fail(client, LOGIN, "nurse3", 2)
    assert sign_in(client, LOGIN, "nurse3", PASSWORD).status_code == 302


def test_the_locked_page_says_at_what_time_to_try_again(client, nurse3, settings):
    fail(client, LOGIN, "nurse3", 3)
    expected = timezone.localtime(
        timezone.now() + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    )
    response = sign_in(client, LOGIN, "nurse3", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429
    assert 'role="alert"' in body
    shown = re.search(r"try again at (\d\d):(\d\d) (\w+) \(in about 15 minutes\)", body)
    assert shown is not None, body
    shown_minutes = int(shown[1]) * 60 + int(shown[2])
    expected_minutes = expected.hour * 60 + expected.minute
    assert abs(shown_minutes - expected_minutes) <= 1
    assert shown[3] == expected.strftime("%Z")


def test_the_failure_that_reaches_the_limit_already_says_when_to_try_again(client, nurse3):
    fail(client, LOGIN, "nurse3", 2)
    response = sign_in(client, LOGIN, "nurse3", "still-not-the-password")
    assert response.status_code == 429
    assert "try again at" in response.content.decode()


def test_admin_login_is_refused_for_an_account_locked_on_the_login_page(client, operator):
    fail(client, LOGIN, "operator", 3)
    response = sign_in(client, ADMIN_LOGIN, "operator", PASSWORD)
    assert not signed_in(client)
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "try again at" in body
    # Another operator is not affected: the admin login itself works.
    UserFactory(username="operator2", is_staff=True, is_superuser=True)
    response = sign_in(client, ADMIN_LOGIN, "operator2", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_admin_login_failures_count_towards_the_same_limit(client, operator):
    fail(client, ADMIN_LOGIN, "operator", 3)
    assert not signed_in(client)
    response = sign_in(client, LOGIN, "OPERATOR", PASSWORD)
    assert response.status_code == 429
    response = sign_in(client, ADMIN_LOGIN, "operator", PASSWORD)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_one_address_trying_many_accounts_is_locked_but_other_addresses_are_not(
    client, nurse3, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for n in range(4):
        sign_in(client, LOGIN, f"guess{n}", "not-the-password", REMOTE_ADDR="203.0.113.7")
    response = sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "from your network" in response.content.decode()
    assert not signed_in(client)
    response = sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 302
    assert signed_in(client)


def test_an_ipv6_client_counts_as_its_64_block(client, nurse3, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    sign_in(client, LOGIN, "guess1", "x", REMOTE_ADDR="2001:db8:1:2::1")
    sign_in(client, LOGIN, "guess2", "x", REMOTE_ADDR="2001:db8:1:2::ffff")
    response = sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="2001:db8:1:2:abcd::9")
    assert response.status_code == 429
    response = sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")
    assert response.status_code == 302


def test_a_lock_ends_when_the_window_passes(client, nurse3, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
    fail(client, LOGIN, "nurse3", 3)
    assert sign_in(client, LOGIN, "nurse3", PASSWORD).status_code == 429
    time.sleep(1.2)
    response = sign_in(client, LOGIN, "nurse3", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_operator_can_unlock_an_account_and_an_address(client, nurse3, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    fail(client, LOGIN, "nurse3", 3, REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, LOGIN, "nurse3", PASSWORD).status_code == 429
    out = StringIO()
    call_command("unlock_login", FULL_WIDTH_NURSE3, stdout=out)  # any spelling names it
    assert "Unlocked account" in out.getvalue()
    assert sign_in(client, LOGIN, "nurse3", PASSWORD).status_code == 302
    client.logout()
    # The address stays locked until it is unlocked too.
    assert sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    call_command("unlock_login", "--address", "203.0.113.9", stdout=StringIO())
    response = sign_in(client, LOGIN, "nurse3", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_unlock_login_refuses_what_is_not_an_address():
    with pytest.raises(CommandError, match="Not an IP address"):
        call_command("unlock_login", "--address", "not-an-ip")
    with pytest.raises(CommandError, match="Name a username"):
        call_command("unlock_login")
