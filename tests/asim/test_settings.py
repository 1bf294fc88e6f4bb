"""Settings come from the environment; bad values stop the process and name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from asim.env import Env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "ASIM_PRODUCTION": "1",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-for-tests-" + "z" * 10,
    "ALLOWED_HOSTS": "asim.example.org",
    "DATABASE_URL": "postgres://asim:secret@db.example.org:5432/asim",
    "REDIS_URL": "redis://redis.example.org:6379/0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with only `env` (plus PATH) as its environment."""
    clean = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("no", False)],
)
def test_booleans_accept_the_usual_words(value, expected):
    assert Env({"DEBUG": value}).bool("DEBUG", not expected) is expected


def test_unset_values_take_their_defaults():
    env = Env({})
    assert env.bool("DEBUG", True) is True
    assert env.int("PORT", 8000) == 8000
    assert env.list("ALLOWED_HOSTS", ["a"]) == ["a"]
    assert env.str("SECRET_KEY", "dev") == "dev"


@pytest.mark.parametrize(
    ("name", "value", "call"),
    [
        ("DEBUG", "maybe", lambda e: e.bool("DEBUG", False)),
        ("LOGIN_FAILURE_LIMIT", "ten", lambda e: e.int("LOGIN_FAILURE_LIMIT", 10)),
        ("LOGIN_FAILURE_LIMIT", "0", lambda e: e.int("LOGIN_FAILURE_LIMIT", 10, minimum=1)),
        ("REDIS_URL", "localhost:6379", lambda e: e.url("REDIS_URL", schemes=("redis",))),
        ("DATABASE_URL", "mysql://db/asim", lambda e: e.database("DATABASE_URL", "")),
        ("EMAIL_URL", "smtp//mail", lambda e: e.email("EMAIL_URL", "")),
    ],
)
def test_a_bad_value_is_refused_with_the_variables_name(name, value, call):
    with pytest.raises(ImproperlyConfigured, match=name):
        call(Env({name: value}))


def test_database_and_email_urls_are_parsed():
    env = Env(
        {
            "DATABASE_URL": "postgres://u:p@db:5433/asim",
            "EMAIL_URL": "smtp+tls://user:pw@mail.example.org:587",
        }
    )
    database = env.database("DATABASE_URL", "")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db", 5433, "asim")
    email = env.email("EMAIL_URL", "")
    assert email["EMAIL_HOST"] == "mail.example.org"
    assert email["EMAIL_USE_TLS"] is True


def test_nothing_set_gives_the_embedded_mode_and_logs_it_in_one_line():
    result = run_manage("check", env={})
    assert result.returncode == 0, result.stderr
    mode_lines = [line for line in result.stderr.splitlines() if "mode —" in line]
    assert len(mode_lines) == 1
    assert (
        "database: sqlite; channel layer: in-memory; celery: eager; "
        "timers: in-process scheduler; sms/voice: console (not sent); email: console"
        in mode_lines[0]
    )


def test_redis_url_switches_the_channel_layer_and_the_broker_to_redis():
    result = run_manage("check", env={"REDIS_URL": "redis://127.0.0.1:6379/9"})
    assert result.returncode == 0, result.stderr
    assert "channel layer: redis; celery: redis broker; timers: celery beat" in result.stderr


def test_a_bad_value_stops_start_up_naming_the_variable():
    result = run_manage("check", env={"TWILIO_API_BASE_URL": "api.twilio.com"})
    assert result.returncode != 0
    assert "TWILIO_API_BASE_URL" in result.stderr


def test_production_refuses_the_development_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "asim.example.org,*", "", " , "])
def test_production_refuses_any_host_and_no_host(hosts):
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS" in result.stderr


def test_production_mode_passes_the_deployment_checklist(settings, tmp_path):
    standards = {"ASIM_STANDARDS_DIR": str(settings.STANDARDS_DIR)}
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **standards}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "production mode" in result.stderr

    # Without the OASIS schemas the exchange could not validate what partners send: said here.
    missing = {"ASIM_STANDARDS_DIR": str(tmp_path)}
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **missing}
    )
    assert result.returncode != 0
    assert "interop.W001" in result.stderr
