"""One limit on password sign-ins, whichever way they come (the login page, the admin).

Two counters, each with its own lock, live in the cache (Redis in the full stack, so every
process shares them):

- the **account**: the username as Django authenticates it (the user model's NFKC
  normalisation, as the login forms apply it) and case-folded, so `nurse3`, `Nurse3` and its
  full-width look-alike are one account with one limit;
- the **client address** (REMOTE_ADDR; behind a proxy, uvicorn's `--proxy-headers` with
  FORWARDED_ALLOW_IPS puts the real client there; IPv6 counts per /64), with a higher limit,
  so one client cannot try many accounts.

An attempt is counted *before* the password is checked, so concurrent tries cannot exceed
the limit; a success clears the account's counter and gives the address its try back. When
a counter reaches its limit, that key is locked for LOGIN_FAILURE_WINDOW_SECONDS from then:
every sign-in for it is refused, right password or not, until the lock expires.

`LimitedModelBackend` (settings.AUTHENTICATION_BACKENDS) enforces this for every call of
`django.contrib.auth.authenticate`; `LoginLimitFormMixin` turns a lock into a message that
says when to try again, on the login page and the admin's login page alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

LOCKED = "locked"  # the ValidationError code of a locked sign-in


@dataclass(frozen=True)
class Lock:
    """Why and until when sign-in is refused."""

    until: datetime
    by_address: bool  # the client address is locked (not only the account)

    @property
    def message(self) -> str:
        local = timezone.localtime(self.until)
        minutes = max(1, round((self.until - timezone.now()).total_seconds() / 60))
        whom = "from your network" if self.by_address else "for this account"
        return (
            f"Too many failed sign-in attempts {whom}. Sign-in is paused to protect the "
            f"account: try again at {local:%H:%M %Z} (in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}), or ask your ASIM operator to unlock it."
        )


def account_identity(username: str) -> str:
    """The account a username names, as Django matches it: NFKC-normalised (the user model's
    rule, which the login forms apply), stripped and case-folded."""
    return get_user_model().normalize_username(username).strip().casefold()


def address_bucket(address: str) -> str | None:
    """What a client address counts as: itself, or for IPv6 its /64 (one subscriber's
    block); None if it is not an IP address."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address bucket (`address_bucket` of REMOTE_ADDR)."""
    return None if request is None else address_bucket(request.META.get("REMOTE_ADDR", ""))


@dataclass(frozen=True)
class _Key:
    counter: str
    lock: str
    limit: int
    by_address: bool


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _account_key(username: str) -> _Key:
    account = _digest(account_identity(username))
    return _Key(
        f"login-failures:account:{account}",
        f"login-lock:account:{account}",
        settings.LOGIN_FAILURE_LIMIT,
        by_address=False,
    )


def _address_key(address: str) -> _Key:
    hashed = _digest(address)
    return _Key(
        f"login-failures:address:{hashed}",
        f"login-lock:address:{hashed}",
        settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        by_address=True,
    )


def _keys(request: HttpRequest | None, username: str) -> list[_Key]:
    address = client_address(request)
    return [_account_key(username), *([_address_key(address)] if address else [])]


def _window() -> int:
    return settings.LOGIN_FAILURE_WINDOW_SECONDS


def lock_for(request: HttpRequest | None, username: str) -> Lock | None:
    """The lock that refuses this sign-in now, if any (the later one if both are locked)."""
    keys = _keys(request, username)
    stored = cache.get_many([key.lock for key in keys])
    now = timezone.now().timestamp()
    locks = [
        Lock(until=datetime.fromtimestamp(stored[key.lock], tz=UTC), by_address=key.by_address)
        for key in keys
        if stored.get(key.lock, 0) > now
    ]
    return max(locks, key=lambda lock: lock.until, default=None)


def _lock(key: _Key) -> None:
    until = timezone.now() + timedelta(seconds=_window())
    cache.add(key.lock, until.timestamp(), _window())  # never extends a running lock
    cache.delete(key.counter)  # after the lock, a fresh window


def _count(key: _Key) -> int:
    cache.add(key.counter, 0, _window())
    try:
        return cache.incr(key.counter)
    except ValueError:  # expired between add and incr
        cache.add(key.counter, 1, _window())
        return 1


def unlock(*, username: str | None = None, address: str | None = None) -> None:
    """End the lock and clear the failures of an account and/or a client address
    (`manage.py unlock_login`)."""
    keys = [_account_key(username)] if username else []
    bucket = address_bucket(address) if address else None
    if bucket:
        keys.append(_address_key(bucket))
    cache.delete_many([name for key in keys for name in (key.lock, key.counter)])


class LoginAttempt:
    """One password check: `begin()` counts it (or raises PermissionDenied when locked),
    then exactly one of `succeeded()` / `failed()`."""

    def __init__(self, request: HttpRequest | None, username: str) -> None:
        self.keys = _keys(request, username)
        self.request = request
        self.username = username
        self.counts: list[int] = []

    def begin(self) -> None:
        if lock_for(self.request, self.username) is not None:
            raise PermissionDenied("sign-in locked")
        self.counts = [_count(key) for key in self.keys]
        over = [key for key, count in zip(self.keys, self.counts, strict=True) if count > key.limit]
        for key in over:  # concurrent tries beyond the limit
            _lock(key)
        if over:
            raise PermissionDenied("sign-in locked")

    def succeeded(self) -> None:
        for key in self.keys:
            if key.by_address:
                with contextlib.suppress(ValueError):  # the window ended meanwhile
                    cache.decr(key.counter)
            else:
                cache.delete(key.counter)

    def failed(self) -> None:
        for key, count in zip(self.keys, self.counts, strict=True):
            if count >= key.limit:
                _lock(key)


class LimitedModelBackend(ModelBackend):
    """Django's username/password backend behind the sign-in limit (see the module doc).

    A locked sign-in raises PermissionDenied, which makes `authenticate()` stop and return
    None without asking any other backend."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        attempt = LoginAttempt(request, username)
        attempt.begin()
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            attempt.failed()
        else:
            attempt.succeeded()
        return user


class LoginLimitFormMixin:
    """For an AuthenticationForm: a refused sign-in says when to try again, instead of
    "wrong password"."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            username = self.cleaned_data.get("username")  # type: ignore[attr-defined]
            lock = lock_for(self.request, username) if username else None
            if lock is None:
                raise
            raise forms.ValidationError(lock.message, code=LOCKED) from None


class LoginForm(LoginLimitFormMixin, AuthenticationForm):
    """The login page's form."""


class AdminLoginForm(LoginLimitFormMixin, AdminAuthenticationForm):
    """The admin's login form (`admin.site.login_form`)."""
