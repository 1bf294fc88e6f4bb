"""The admin: rules and templates are editable; what was sent is a read-only record."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agencies.models import Discipline
from notifications.models import Delivery, HospitalEscalation, Notification
from notifications.tasks import send_notification
from tests.notifications.helpers import person, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_data(world, notify_settings) -> tuple[Client, Notification]:
    person(world.em_a)
    made = rule(world, disciplines=[Discipline.EM])
    notification = Notification.objects.create(
        region=world.region_a,
        rule=made,
        kind="incident.declared",
        channels=["sms"],
        texts={"sms": "MCI"},
        audience={"disciplines": [Discipline.EM]},
    )
    send_notification(notification.pk)
    operator = get_user_model().objects.create_superuser("operator", "op@example.org", "pw-123456")
    client = Client()
    client.force_login(operator)
    return client, notification


@pytest.mark.parametrize(
    "model",
    ["notificationrule", "messagetemplate", "notification", "delivery", "hospitalescalation"],
)
def test_every_notifications_admin_page_renders(admin_client_with_data, model):
    client, _ = admin_client_with_data

    assert client.get(reverse(f"admin:notifications_{model}_changelist")).status_code == 200


def test_deliveries_and_notifications_cannot_be_added_changed_or_deleted(admin_client_with_data):
    client, notification = admin_client_with_data
    delivery = notification.deliveries.get()

    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    page = client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    delete = reverse("admin:notifications_delivery_delete", args=[delivery.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Delivery.objects.filter(pk=delivery.pk).exists()
    assert not HospitalEscalation.objects.exists()


def test_a_rule_can_be_edited_in_the_admin(admin_client_with_data):
    client, notification = admin_client_with_data

    page = client.get(
        reverse("admin:notifications_notificationrule_change", args=[notification.rule_id])
    )

    assert page.status_code == 200 and b'name="_save"' in page.content
