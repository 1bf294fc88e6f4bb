"""Typed readers for settings from the environment.

Every reader raises ImproperlyConfigured naming the variable when its value is bad, so a
misconfigured deployment stops at start-up instead of misbehaving at 3 a.m.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class Env:
    """Reads variables from a mapping (os.environ by default) with typed defaults."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def raw(self, name: str) -> str | None:
        value = self.source.get(name)
        return None if value is None else value.strip()

    def str(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        return default if value is None or value == "" else value

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{name}: expected true/false, got {value!r}")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
        return number

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def url(
        self, name: str, default: str = "", *, schemes: tuple[str, ...], needs_host: bool = True
    ) -> str:
        value = self.str(name, default)
        if not value:
            return ""
        parsed = urlparse(value)
        if parsed.scheme not in schemes or (needs_host and not (parsed.netloc or parsed.path)):
            raise ImproperlyConfigured(
                f"{name}: expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
                f", got {value!r}"
            )
        return value

    def database(self, name: str, default: str) -> dict[str, Any]:
        value = self.url(name, default, schemes=DATABASE_SCHEMES)
        try:
            config = environ.Env.db_url_config(value)
        except Exception as exc:  # django-environ raises several kinds
            raise ImproperlyConfigured(f"{name}: cannot parse {value!r}: {exc}") from None
        config["CONN_MAX_AGE"] = self.int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
        return config

    def email(self, name: str, default: str) -> dict[str, Any]:
        value = self.url(name, default, schemes=EMAIL_SCHEMES, needs_host=False)
        try:
            return environ.Env.email_url_config(value)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name}: cannot parse {value!r}: {exc}") from None


DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql", "psql")
EMAIL_SCHEMES = ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail")
