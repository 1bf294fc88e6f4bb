"""The NOTIFY_* settings: typed, with defaults, and a clear error naming a bad variable."""

from __future__ import annotations

import pytest

from tests.asim.test_settings import run_manage

pytestmark = pytest.mark.django_db


def test_the_notification_settings_default_to_a_working_fan_out():
    from django.conf import settings

    from notifications import conf

    assert conf.get_int("NOTIFY_CONCURRENCY") >= 1
    assert conf.update_channels() == settings.NOTIFY_UPDATE_CHANNELS
    assert settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["task"] == "notifications.sweep"
    assert settings.CELERY_BEAT_SCHEDULE["notifications-escalate"]["schedule"] == float(
        settings.NOTIFY_ESCALATION_SECONDS
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"NOTIFY_CONCURRENCY": "many"}, "NOTIFY_CONCURRENCY: expected a whole number"),
        ({"NOTIFY_BATCH_SIZE": "0"}, "NOTIFY_BATCH_SIZE: must be at least 1"),
        ({"NOTIFY_UPDATE_CHANNELS": "sms,fax"}, "NOTIFY_UPDATE_CHANNELS"),
    ],
)
def test_a_bad_value_names_its_variable(env, message):
    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_beat_schedule_follows_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['notifications-sweep']['schedule'])",
        env={"NOTIFY_SWEEP_SECONDS": "7"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "7.0"
