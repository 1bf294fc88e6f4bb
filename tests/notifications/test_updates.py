"""Emergency managers' updates to officials: templates, a preview of who is reached on which
channel, sending, and per-recipient delivery and read/ack state — also after closing."""

from __future__ import annotations

import pytest
from django.core import mail

from agencies.models import Channel, RosterRole
from incidents import services
from incidents.models import Incident, IncidentEvent, SituationUpdate
from notifications.delivery import sending
from notifications.models import MessageTemplate
from tests.conftest import as_user
from tests.factories import ContactPointFactory, DistributionListFactory, UserFactory
from tests.incidents.conftest import declare
from tests.notifications.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officials(world):
    """ "County officials": three people — SMS+email with a login, SMS only, email only — and
    a fourth with no way to reach them; two of them share one phone number."""
    dlist = DistributionListFactory(region=world.region_a, name="County officials")
    mayor = person(
        world.officials_a,
        roles=[RosterRole.OFFICIAL],
        channels=("sms", "email"),
        user=UserFactory(username="mayor"),
        name="Mayor Reyes",
    )
    admin = person(world.officials_a, roles=[RosterRole.OFFICIAL], channels=("sms",))
    clerk = person(world.officials_a, roles=[RosterRole.OFFICIAL], channels=("email",))
    nobody = person(world.officials_a, roles=[RosterRole.OFFICIAL], channels=())
    ContactPointFactory(
        member=clerk, channel=Channel.SMS, address=admin.contact_points.get().address
    )
    dlist.members.add(mayor, admin, clerk, nobody)
    return dlist


@pytest.fixture
def incident(world, dispatcher_a):
    world.region_a.hospitals_to_notify = 1
    world.region_a.save()
    return declare(world.region_a, dispatcher_a)


def preview(api, incident, **body):
    return api.post(f"/api/v1/incidents/{incident.pk}/updates/preview/", body, format="json")


def test_the_preview_counts_recipients_and_addresses_per_channel(api, em_a, incident, officials):
    response = preview(as_user(api, em_a), incident, audience=[officials.pk], body="Scene secure.")

    assert response.status_code == 200
    data = response.json()
    assert data["recipients"] == 4
    # SMS: two distinct numbers (one shared by two people); email: two; in-app: one login
    assert data["by_channel"] == {"sms": 2, "email": 2, "in_app": 1}
    assert data["unreachable"] == 1
    assert data["audience"] == [{"id": officials.pk, "name": "County officials"}]
    assert data["text"].endswith("Scene secure.")
    assert incident.number in data["text"]


def test_the_preview_renders_a_template_for_the_incident(api, em_a, world, incident, officials):
    template = MessageTemplate.objects.create(
        region=world.region_a,
        name="Reunification",
        body="Families for {{ incident.number }}: go to the high school.",
    )

    response = preview(as_user(api, em_a), incident, audience=[officials.pk], template=template.pk)

    assert response.json()["body"] == f"Families for {incident.number}: go to the high school."


def test_an_exercise_preview_shows_the_prefix(api, em_a, world, dispatcher_a, officials):
    drill = declare(world.region_a, dispatcher_a, application=Incident.Application.EXERCISE)

    text = preview(as_user(api, em_a), drill, audience=[officials.pk], body="Drill.").json()["text"]

    assert text.startswith("EXERCISE EXERCISE EXERCISE")


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda lists: {"audience": [], "body": "x"}, "audience"),
        (lambda lists: {"audience": [999999], "body": "x"}, "audience"),
        (lambda lists: {"audience": "lists", "body": "x"}, "audience"),
        (lambda lists: {"body": "x"}, "audience"),
        (lambda lists: {"audience": [lists.pk]}, "body"),
        (lambda lists: {"audience": [lists.pk], "template": 999999}, "template"),
        (lambda lists: "AUDIENCE", "non_field_errors"),
    ],
    ids=["empty", "unknown-list", "not-a-list", "missing", "no-body", "no-template", "not-json"],
)
def test_a_bad_preview_request_gets_field_errors(api, em_a, incident, officials, make, field):
    response = as_user(api, em_a).post(
        f"/api/v1/incidents/{incident.pk}/updates/preview/", make(officials), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_a_list_of_another_region_cannot_be_previewed(api, em_a, world, incident):
    foreign = DistributionListFactory(region=world.region_b)

    response = preview(as_user(api, em_a), incident, audience=[foreign.pk], body="x")

    assert response.status_code == 400 and "audience" in response.json()


def test_only_emergency_managers_preview_updates(
    api, dispatcher_a, official_a, outsider_b, incident, officials
):
    assert preview(as_user(api, dispatcher_a), incident, audience=[officials.pk]).status_code == (
        403
    )
    assert preview(as_user(api, official_a), incident, audience=[officials.pk]).status_code == 403
    assert preview(as_user(api, outsider_b), incident, audience=[officials.pk]).status_code == 404


def test_sending_an_update_reaches_the_lists_members_with_per_recipient_state(
    api, em_a, incident, officials, notify_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, em_a).post(
            f"/api/v1/incidents/{incident.pk}/updates/",
            {"body": "Scene secure. Reunification at Central HS.", "audience": [officials.pk]},
            format="json",
        )
    assert response.status_code == 201
    update = SituationUpdate.objects.get()

    [notification] = update.notifications.all()
    listed = api.get(f"/api/v1/notifications/?situation_update={update.pk}").json()
    assert [n["id"] for n in listed["results"]] == [notification.pk]
    assert listed["results"][0]["total"] == 5  # 2 SMS numbers, 2 emails, 1 in-app
    assert listed["results"][0]["counts"]["sent"] + listed["results"][0]["counts"]["delivered"] == 5
    deliveries = api.get(f"/api/v1/notifications/{notification.pk}/deliveries/").json()
    rows = {(d["member_name"], d["channel"]): d for d in deliveries["results"]}
    assert rows[("Mayor Reyes", "in_app")]["status"] == "delivered"
    assert rows[("Mayor Reyes", "in_app")]["read_at"] is None
    assert rows[("Mayor Reyes", "sms")]["acknowledged_at"] is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d["address"] for d in deliveries["results"] if d["channel"] == "email"
    )
    update.refresh_from_db()
    assert update.sent_at is not None

    # The mayor reads and acknowledges in the app; the EM sees it per recipient.
    mayor = officials.members.get(full_name="Mayor Reyes").user
    [message] = as_user(api, mayor).get("/api/v1/inbox/").json()["results"]
    assert message["text"] == "Scene secure. Reunification at Central HS."
    assert api.post(f"/api/v1/inbox/{message['id']}/acknowledge/").status_code == 200
    deliveries = as_user(api, em_a).get(f"/api/v1/notifications/{notification.pk}/deliveries/")
    mayor_rows = [d for d in deliveries.json()["results"] if d["member_name"] == "Mayor Reyes"]
    assert all(d["acknowledged_at"] for d in mayor_rows)
    # every delivery of the mayor: SMS, email and in-app
    assert api.get(f"/api/v1/notifications/{notification.pk}/").json()["acknowledged"] == 3


def test_a_sent_update_is_stamped_and_on_the_timeline_once(
    api, em_a, incident, officials, notify_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, em_a).post(
            f"/api/v1/incidents/{incident.pk}/updates/",
            {"body": "Scene secure.", "audience": [officials.pk]},
            format="json",
        )
    assert response.status_code == 201
    update = SituationUpdate.objects.get()
    [notification] = update.notifications.all()
    sending.finish_notifications([notification.pk])  # finishing again changes nothing

    update.refresh_from_db()
    notification.refresh_from_db()
    [sent] = IncidentEvent.objects.filter(incident=incident, kind="update.sent")
    assert update.sent_at == notification.done_at is not None
    assert sent.data == {"update_id": update.pk}
    assert sent.summary == "Situation update sent to County officials"
    assert sent.public
    posted = IncidentEvent.objects.get(incident=incident, kind="update.posted")
    assert sent.seq > posted.seq
    assert services.situation_update_mark_sent(update=update, at=notification.done_at) is None
    assert IncidentEvent.objects.filter(kind="update.sent").count() == 1


def test_an_update_can_be_sent_after_the_incident_closed(
    api, em_a, dispatcher_a, incident, officials, notify_settings, on_commit
):
    services.incident_close(actor=dispatcher_a, incident=incident, summary="Done")

    with on_commit():
        update = services.situation_update_post(
            actor=em_a, incident=incident, body="After-action review Friday.", audience=[officials]
        )

    notification = update.notifications.get()
    assert notification.state == "done"
    assert notification.deliveries.filter(status__in=["sent", "delivered"]).count() == 5
    assert "After-action review Friday." in notification.texts["sms"]
