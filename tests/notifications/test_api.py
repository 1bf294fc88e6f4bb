"""The notifications API: who sees which notifications and deliveries, the in-app inbox, and
rules and templates kept by emergency managers — with 400s, never 500s."""

from __future__ import annotations

import pytest

from agencies.models import AuditEntry, Discipline, RosterRole
from notifications.models import Delivery, MessageTemplate, Notification, NotificationRule
from notifications.tasks import send_notification
from tests.conftest import as_user
from tests.factories import DistributionListFactory
from tests.incidents.conftest import declare
from tests.notifications.helpers import build_roster, person, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(world, dispatcher_a, nurse_a1, notify_settings):
    """An MCI in region A with hospital A1 on it, alerted (console transport) to A1's ER
    contacts — one of them nurse_a1's own roster entry, with in-app — and to EM."""
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    roster = build_roster(world)
    own = person(
        world.hospital_a1.agency, roles=[RosterRole.ER_CONTACT], channels=("sms",), user=nurse_a1
    )
    rule(world, name="ER", incident_hospitals_er=True, channels=["sms", "in_app"])
    rule(world, name="EM", disciplines=[Discipline.EM], channels=["sms"])
    incident = declare(world.region_a, dispatcher_a)
    for notification in incident.notifications.all():
        send_notification(notification.pk)
    er = incident.notifications.get(rule__name="ER")
    return incident, er, roster, own


# --- notifications: the permission matrix ---------------------------------------------------------


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("dispatcher_a", True),
        ("em_a", True),
        ("ems_a", True),
        ("responder_a", True),
        ("official_a", True),  # counts, not who was reached
        ("nurse_a1", True),  # A1 is on the incident
        ("nurse_a2", False),  # A2 is not
        ("police_admin_a", False),
        ("outsider_b", False),
    ],
)
def test_who_sees_an_incidents_notifications(api, alert, request, persona, sees):
    _, er, _, _ = alert
    user = request.getfixturevalue(persona)
    client = as_user(api, user)

    listed = client.get("/api/v1/notifications/")
    detail = client.get(f"/api/v1/notifications/{er.pk}/")

    assert listed.status_code == 200
    assert (er.pk in [n["id"] for n in listed.json()["results"]]) is sees
    assert detail.status_code == (200 if sees else 404)


def test_anonymous_requests_are_refused(api, alert):
    _, er, _, _ = alert
    assert api.get("/api/v1/notifications/").status_code in (401, 403)
    assert api.get(f"/api/v1/notifications/{er.pk}/deliveries/").status_code in (401, 403)
    assert api.get("/api/v1/inbox/").status_code in (401, 403)


def test_a_notification_shows_its_counts_per_status_and_channel(api, dispatcher_a, alert):
    _, er, _roster, _own = alert

    data = as_user(api, dispatcher_a).get(f"/api/v1/notifications/{er.pk}/").json()

    assert data["total"] == 4  # 3 ER contacts by SMS, nurse_a1 also in-app
    assert data["counts"] == {
        "pending": 0,
        "sending": 0,
        "sent": 3,
        "delivered": 1,
        "undelivered": 0,
        "failed": 0,
    }
    assert data["by_channel"] == {"sms": 3, "in_app": 1}
    assert data["recipient_count"] == 3
    assert data["audience_labels"] == ["the incident's hospitals' ER contacts"]
    assert data["state"] == "done" and data["incident_number"] == alert[0].number


def test_the_list_filters_by_incident_and_kind(api, dispatcher_a, alert, world):
    incident, _er, _, _ = alert
    other = declare(world.region_a, dispatcher_a, title="Second MCI")
    client = as_user(api, dispatcher_a)

    by_incident = client.get(f"/api/v1/notifications/?incident={incident.pk}").json()["results"]
    by_other = client.get(f"/api/v1/notifications/?incident={other.pk}").json()["results"]

    assert {n["incident"] for n in by_incident} == {incident.pk}
    assert len(by_incident) == 2 and len(by_other) == 2
    assert client.get("/api/v1/notifications/?incident=abc").status_code == 400


# --- deliveries: who was reached ----------------------------------------------------------------


def test_dispatch_and_em_see_every_delivery_with_full_addresses(api, dispatcher_a, em_a, alert):
    _, er, roster, _ = alert
    for user in (dispatcher_a, em_a):
        rows = as_user(api, user).get(f"/api/v1/notifications/{er.pk}/deliveries/").json()
        assert rows["count"] == 4
        sms = [r for r in rows["results"] if r["channel"] == "sms"]
        assert roster.er_a1[0].contact_points.get(channel="sms").address in {
            r["address"] for r in sms
        }
        # the boards match deliveries to hospitals by the recipient's agency id
        assert {r["agency_id"] for r in rows["results"]} == {roster.er_a1[0].agency_id}


def test_er_staff_see_only_their_own_deliveries_and_officials_none(
    api, nurse_a1, official_a, alert
):
    _, er, _, own = alert

    nurse_rows = as_user(api, nurse_a1).get(f"/api/v1/notifications/{er.pk}/deliveries/").json()
    official_rows = as_user(api, official_a).get(f"/api/v1/notifications/{er.pk}/deliveries/")

    assert {r["member"] for r in nurse_rows["results"]} == {own.pk}
    assert official_rows.status_code == 200 and official_rows.json()["count"] == 0


def test_deliveries_of_a_notification_out_of_sight_are_404(api, outsider_b, nurse_a2, alert):
    _, er, _, _ = alert
    for user in (outsider_b, nurse_a2):
        response = as_user(api, user).get(f"/api/v1/notifications/{er.pk}/deliveries/")
        assert response.status_code == 404


def test_deliveries_filter_by_status_and_channel(api, dispatcher_a, alert):
    _, er, _, _ = alert
    client = as_user(api, dispatcher_a)

    in_app = client.get(f"/api/v1/notifications/{er.pk}/deliveries/?channel=in_app").json()
    failed = client.get(f"/api/v1/notifications/{er.pk}/deliveries/?status=failed").json()

    assert [r["channel"] for r in in_app["results"]] == ["in_app"]
    assert failed["count"] == 0
    bad = client.get(f"/api/v1/notifications/{er.pk}/deliveries/?status=lost")
    assert bad.status_code == 400


# --- the inbox ------------------------------------------------------------------------------------


def test_the_inbox_shows_only_the_users_own_messages(api, nurse_a1, nurse_a2, alert):
    _, er, _, _ = alert

    mine = as_user(api, nurse_a1).get("/api/v1/inbox/").json()["results"]
    theirs = as_user(api, nurse_a2).get("/api/v1/inbox/").json()["results"]

    assert [(m["notification"], m["kind"]) for m in mine] == [(er.pk, "incident.declared")]
    assert mine[0]["text"].startswith("ASIM ALERT: Active shooter declared")
    assert theirs == []


def test_reading_and_acknowledging_an_in_app_message(api, nurse_a1, alert):
    incident, _er, _, own = alert
    client = as_user(api, nurse_a1)
    [message] = client.get("/api/v1/inbox/?unread=1").json()["results"]

    read = client.post(f"/api/v1/inbox/{message['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/v1/inbox/?unread=1").json()["results"] == []

    acked = client.post(f"/api/v1/inbox/{message['id']}/acknowledge/")

    assert acked.status_code == 200 and acked.json()["acknowledged_at"]
    row = incident.hospitals.get()
    assert row.acknowledged_by == nurse_a1  # the ER contact's acknowledgement is the hospital's
    assert Delivery.objects.filter(member=own, acknowledged_at__isnull=False).count() == 2


def test_another_users_message_cannot_be_read_or_acknowledged(api, nurse_a2, alert):
    _, er, _, _ = alert
    message = Delivery.objects.get(notification=er, channel="in_app")
    client = as_user(api, nurse_a2)

    assert client.post(f"/api/v1/inbox/{message.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/inbox/{message.pk}/acknowledge/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None and message.acknowledged_at is None


# --- rules --------------------------------------------------------------------------------------

RULE = {
    "name": "MCI: county officials",
    "trigger": "incident.declared",
    "channels": ["sms", "email"],
    "disciplines": ["officials"],
    "roster_roles": ["official"],
    "sms_template": "MCI {{ incident.number }}: {{ incident.title }}",
}


def test_an_emergency_manager_keeps_the_regions_rules(api, em_a, world):
    client = as_user(api, em_a)
    officials = DistributionListFactory(region=world.region_a)

    created = client.post(
        "/api/v1/notification-rules/", {**RULE, "distribution_lists": [officials.pk]}, format="json"
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert created.json()["region"] == world.region_a.pk
    assert created.json()["distribution_lists"] == [officials.pk]

    changed = client.patch(
        f"/api/v1/notification-rules/{rule_id}/",
        {"active": False, "channels": ["sms"], "distribution_lists": []},
        format="json",
    )
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["channels"]) == (False, ["sms"])
    assert changed.json()["distribution_lists"] == []
    assert [r["id"] for r in client.get("/api/v1/notification-rules/").json()["results"]] == [
        rule_id
    ]

    assert client.delete(f"/api/v1/notification-rules/{rule_id}/").status_code == 204
    assert not NotificationRule.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_type="notificationrule")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    assert AuditEntry.objects.filter(object_type="notificationrule", actor=em_a).count() == 3


@pytest.mark.parametrize("persona", ["dispatcher_a", "official_a", "nurse_a1", "police_admin_a"])
def test_only_emergency_managers_see_or_change_rules(api, world, request, persona):
    made = rule(world, disciplines=[Discipline.EM])
    client = as_user(api, request.getfixturevalue(persona))

    assert client.get("/api/v1/notification-rules/").status_code == 403
    assert client.get(f"/api/v1/notification-rules/{made.pk}/").status_code == 403
    assert client.post("/api/v1/notification-rules/", RULE, format="json").status_code == 403


def test_another_regions_emergency_manager_cannot_see_or_touch_the_rules(api, world, outsider_b):
    made = rule(world, disciplines=[Discipline.EM])
    client = as_user(api, outsider_b)

    assert client.get("/api/v1/notification-rules/").json()["results"] == []
    assert client.get(f"/api/v1/notification-rules/{made.pk}/").status_code == 404
    assert client.delete(f"/api/v1/notification-rules/{made.pk}/").status_code == 404
    sneaky = client.post(
        "/api/v1/notification-rules/", {**RULE, "region": world.region_a.pk}, format="json"
    )
    assert sneaky.status_code == 400 and "region" in sneaky.json()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"trigger": "patient.registered"}, "trigger"),
        ({"channels": []}, "channels"),
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["sms", "sms"]}, "channels"),
        ({"disciplines": ["pirates"]}, "disciplines"),
        ({"roster_roles": ["captain"]}, "roster_roles"),
        ({"sms_template": "{% if %}"}, "sms_template"),
        ({"email_subject_template": "{% endif %}"}, "email_subject_template"),
        ({"disciplines": [], "roster_roles": []}, "audience"),
        ({"distribution_lists": [999999]}, "distribution_lists"),
        ({"name": ""}, "name"),
        ({"channels": "sms"}, "channels"),
        ({"active": "maybe"}, "active"),
    ],
)
def test_a_bad_rule_gets_a_field_error(api, em_a, change, field):
    response = as_user(api, em_a).post(
        "/api/v1/notification-rules/", {**RULE, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_rule_cannot_address_another_regions_list(api, em_a, world, outsider_b):
    # Region B's lists are not even visible to region A's emergency manager.
    foreign = DistributionListFactory(region=world.region_b)

    response = as_user(api, em_a).post(
        "/api/v1/notification-rules/", {**RULE, "distribution_lists": [foreign.pk]}, format="json"
    )

    assert response.status_code == 400 and "distribution_lists" in response.json()


def test_rule_names_are_unique_per_region(api, em_a):
    client = as_user(api, em_a)
    assert client.post("/api/v1/notification-rules/", RULE, format="json").status_code == 201

    again = client.post("/api/v1/notification-rules/", RULE, format="json")

    assert again.status_code == 400 and "name" in again.json()


def test_a_rule_made_through_the_api_sends(api, em_a, world, dispatcher_a, on_commit):
    roster = build_roster(world)
    created = as_user(api, em_a).post("/api/v1/notification-rules/", RULE, format="json")
    assert created.status_code == 201

    with on_commit():
        incident = declare(world.region_a, dispatcher_a)

    notification = Notification.objects.get(incident=incident)
    assert set(notification.deliveries.values_list("member_id", flat=True)) == {roster.official.pk}
    assert notification.texts["sms"] == f"MCI {incident.number}: {incident.title}"


# --- templates ----------------------------------------------------------------------------------


def test_an_emergency_manager_keeps_update_templates(api, em_a, world):
    client = as_user(api, em_a)

    created = client.post(
        "/api/v1/message-templates/",
        {"name": "Shelter", "body": "Shelter in place near {{ incident.location }}."},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/message-templates/{pk}/", {"name": "Shelter now"})
    assert changed.status_code == 200 and changed.json()["name"] == "Shelter now"
    assert client.get("/api/v1/message-templates/").json()["count"] == 1
    assert client.delete(f"/api/v1/message-templates/{pk}/").status_code == 204
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "", "body": "x"}, "name"),
        ({"name": "x", "body": ""}, "body"),
        ({"name": "x", "body": "{% for %}"}, "body"),
        ({"body": "x"}, "name"),
    ],
)
def test_a_bad_template_gets_a_field_error(api, em_a, body, field):
    response = as_user(api, em_a).post("/api/v1/message-templates/", body, format="json")

    assert response.status_code == 400 and field in response.json()


def test_templates_are_the_emergency_managers_own(api, world, dispatcher_a, outsider_b):
    template = MessageTemplate.objects.create(region=world.region_a, name="A", body="x")

    assert as_user(api, dispatcher_a).get("/api/v1/message-templates/").status_code == 403
    outsider = as_user(api, outsider_b)
    assert outsider.get(f"/api/v1/message-templates/{template.pk}/").status_code == 404
    assert outsider.get("/api/v1/message-templates/").json()["results"] == []
