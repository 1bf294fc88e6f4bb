"""The admin: rules and templates are editable; what was sent is a read-only record."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agencies.models import AuditEntry, Discipline
from notifications.models import (
    Delivery,
    HospitalEscalation,
    MessageTemplate,
    Notification,
    NotificationRule,
)
from notifications.tasks import send_notification
from notifications.texts import check_template
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


# --- rules and templates are saved through notifications.services -----------------------------


def rule_form(region, **changes):
    data = {
        "region": region.pk if region else None,
        "name": "ER alert",
        "trigger": "incident.declared",
        "active": "on",
        "disciplines": '["em"]',
        "roster_roles": "[]",
        "channels": '["sms"]',
        "sms_template": "",
        "voice_template": "",
        "email_subject_template": "",
        "email_body_template": "",
        "in_app_template": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def audit(kind):
    return list(AuditEntry.objects.filter(object_type=kind).order_by("id"))


def test_a_rule_added_in_the_admin_is_on_the_audit_record(admin_client_with_data, world):
    client, _ = admin_client_with_data

    response = client.post(
        reverse("admin:notifications_notificationrule_add"), rule_form(world.region_a)
    )

    assert response.status_code == 302
    made = NotificationRule.objects.get(name="ER alert")
    [entry] = [e for e in audit("notificationrule") if e.object_id == str(made.pk)]
    assert (entry.action, entry.actor.username) == ("create", "operator")
    assert entry.changes["channels"] == [None, ["sms"]]


def test_the_admin_shows_the_services_refusals_as_form_errors(admin_client_with_data, world):
    client, _ = admin_client_with_data
    before = NotificationRule.objects.count()

    response = client.post(
        reverse("admin:notifications_notificationrule_add"),
        rule_form(
            world.region_a,
            channels='["fax"]',
            trigger="incident.invented",
            sms_template="{% load evil %}",
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Channels are some of" in errors["channels"][0]
    assert "Choose one of" in errors["trigger"][0]
    assert errors["sms_template"]
    assert NotificationRule.objects.count() == before
    assert not [e for e in audit("notificationrule") if e.action == "create"]


def test_a_rule_changed_or_deleted_in_the_admin_is_on_the_audit_record(
    admin_client_with_data, world
):
    client, notification = admin_client_with_data
    made = notification.rule
    change = reverse("admin:notifications_notificationrule_change", args=[made.pk])

    response = client.post(change, rule_form(None, name="Renamed"))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.name == "Renamed"
    [entry] = audit("notificationrule")
    assert entry.action == "update" and entry.changes["name"][1] == "Renamed"

    delete = reverse("admin:notifications_notificationrule_delete", args=[made.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not NotificationRule.objects.filter(pk=made.pk).exists()
    assert [e.action for e in audit("notificationrule")] == ["update", "delete"]


def test_templates_are_validated_and_audited_in_the_admin(admin_client_with_data, world):
    client, _ = admin_client_with_data
    add = reverse("admin:notifications_messagetemplate_add")

    broken = "Update: {% if incident %}open"
    refused = client.post(add, {"region": world.region_a.pk, "name": "Wrap-up", "body": broken})
    assert refused.status_code == 200
    assert check_template(broken)
    assert refused.context["adminform"].form.errors["body"] == [check_template(broken)]
    assert not MessageTemplate.objects.exists()

    made = client.post(add, {"region": world.region_a.pk, "name": "Wrap-up", "body": "Done."})
    assert made.status_code == 302
    template = MessageTemplate.objects.get()
    delete = reverse("admin:notifications_messagetemplate_delete", args=[template.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert [e.action for e in audit("messagetemplate")] == ["create", "delete"]
