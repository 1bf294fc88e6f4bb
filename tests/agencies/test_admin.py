"""The Django admin: every page renders, edits go through the services and on the record (once,
all or nothing, their errors on the form), the record is read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import CheckboxInput, MultiWidget
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import (
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Member,
    Membership,
    RosterRole,
)
from agencies.services import (
    audit_record,
    contact_point_add,
    distribution_list_save,
    member_add,
)
from agencies.services.admin import admin_save
from tests.conftest import World

pytestmark = pytest.mark.django_db
User = get_user_model()


def form_data(response: HttpResponse) -> dict[str, Any]:
    """The POST body an admin change page sends when submitted as shown: the main form, every
    inline's management form and rows (extra rows left blank)."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field.widget, MultiWidget):  # e.g. a split date and time
                parts = zip(field.widget.widgets_names, field.widget.decompress(value), strict=True)
                for suffix, part in parts:
                    data[key + suffix] = "" if part is None else str(part)
            elif isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def change_url(obj: Any) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def submit(client: Client, obj: Any, **changes: Any) -> HttpResponse:
    """Open the object's admin page and save it with `changes` applied to the shown values."""
    url = change_url(obj)
    data = form_data(client.get(url))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(url, data)


@pytest.fixture
def nurse(world: World) -> Member:
    member = member_add(
        actor=None,
        agency=world.hospital_a1.agency,
        full_name="Grace Okafor",
        title="ER Nurse",
        roles=[RosterRole.ER_CONTACT],
    )
    contact_point_add(actor=None, member=member, channel=Channel.SMS, address="+19375550150")
    return member


@pytest.fixture
def officials_list(world: World) -> DistributionList:
    return distribution_list_save(
        actor=None,
        region_id=world.region_a.pk,
        name="County officials",
        agencies=[world.officials_a],
        disciplines=[Discipline.OFFICIALS],
    )


def latest_entry() -> AuditEntry:
    return AuditEntry.objects.first()


# --- every page renders -----------------------------------------------------------------------

MODELS = (
    "region", "agency", "hospital", "member", "contactpoint", "membership", "distributionlist",
    "auditentry",
)  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_every_agencies_changelist_and_change_page_renders_for_a_superuser(
    admin_client: Client, world: World, nurse: Member, officials_list: DistributionList, model: str
) -> None:
    Membership.objects.create(user=User.objects.get(username="admin"), agency=world.em_a)
    changelist = admin_client.get(reverse(f"admin:agencies_{model}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count > 0

    obj = changelist.context["cl"].result_list[0]
    assert admin_client.get(change_url(obj)).status_code == 200
    add = admin_client.get(reverse(f"admin:agencies_{model}_add"))
    assert add.status_code == (403 if model == "auditentry" else 200)


def test_the_changelists_can_be_searched_and_filtered(admin_client: Client, nurse: Member) -> None:
    members = admin_client.get(
        reverse("admin:agencies_member_changelist"), {"q": "okafor", "role": "er_contact"}
    )
    assert list(members.context["cl"].result_list) == [nurse]
    points = admin_client.get(reverse("admin:agencies_contactpoint_changelist"), {"q": "0150"})
    assert [p.member for p in points.context["cl"].result_list] == [nurse]


def test_the_user_page_shows_the_logins_memberships(admin_client: Client, world: World) -> None:
    user = User.objects.create_user("dispatch_user", password="x-long-password-1")
    Membership.objects.create(user=user, agency=world.dispatch_a, roles=["dispatcher"])
    response = admin_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert "A 911" in response.content.decode()


# --- edits go on the record -------------------------------------------------------------------


def test_editing_a_member_in_the_admin_records_old_and_new_values(
    admin_client: Client, nurse: Member
) -> None:
    response = submit(admin_client, nurse, title="ER Charge Nurse", on_call="on")

    assert response.status_code == 302
    entry = latest_entry()
    assert (entry.action, entry.object_type, entry.object_id) == ("update", "member", str(nurse.pk))
    assert entry.actor.username == "admin"
    assert entry.agency == nurse.agency
    assert entry.changes == {"title": ["ER Nurse", "ER Charge Nurse"], "on_call": [False, True]}


def test_saving_a_member_without_changes_records_nothing(
    admin_client: Client, nurse: Member
) -> None:
    entries = AuditEntry.objects.count()
    assert submit(admin_client, nurse).status_code == 302
    assert AuditEntry.objects.count() == entries


def test_deactivating_a_member_in_the_admin_is_recorded_as_a_deactivation(
    admin_client: Client, nurse: Member
) -> None:
    submit(admin_client, nurse, active=None)
    assert latest_entry().action == AuditEntry.Action.DEACTIVATE
    assert latest_entry().changes == {"active": [True, False]}


def test_an_unknown_roster_role_is_refused_in_the_admin(
    admin_client: Client, nurse: Member
) -> None:
    response = submit(admin_client, nurse, roles=["er_contact", "astronaut"])
    assert response.status_code == 200
    assert "roles" in response.context["adminform"].form.errors
    nurse.refresh_from_db()
    assert nurse.roles == ["er_contact"]


def test_a_contact_point_added_inline_is_stored_in_e164_and_recorded(
    admin_client: Client, nurse: Member
) -> None:
    response = submit(
        admin_client,
        nurse,
        **{"contact_points-1-channel": "voice", "contact_points-1-address": "(937) 555-0142"},
    )

    assert response.status_code == 302
    assert nurse.contact_points.filter(channel="voice", address="+19375550142").exists()
    entry = latest_entry()
    assert (entry.action, entry.object_type, entry.agency) == (
        "create",
        "contactpoint",
        nurse.agency,
    )
    assert entry.changes["address"] == [None, "+19375550142"]


def test_an_invalid_phone_in_the_admin_is_a_form_error_and_saves_nothing(
    admin_client: Client, nurse: Member
) -> None:
    entries = AuditEntry.objects.count()
    response = submit(
        admin_client,
        nurse,
        title="Changed",
        **{"contact_points-1-channel": "sms", "contact_points-1-address": "12345"},
    )

    assert response.status_code == 200
    assert "not a valid phone number" in response.content.decode()
    assert nurse.contact_points.count() == 1
    assert Member.objects.get(pk=nurse.pk).title == "ER Nurse"
    assert AuditEntry.objects.count() == entries


def test_a_contact_point_deleted_inline_is_recorded(admin_client: Client, nurse: Member) -> None:
    response = submit(admin_client, nurse, **{"contact_points-0-DELETE": "on"})

    assert response.status_code == 302
    assert not nurse.contact_points.exists()
    entry = latest_entry()
    assert (entry.action, entry.object_type) == ("delete", "contactpoint")
    assert entry.changes["address"] == ["+19375550150", None]


def test_a_new_number_in_the_admin_clears_the_old_numbers_failure(
    admin_client: Client, nurse: Member
) -> None:
    point = nurse.contact_points.get()
    ContactPoint.objects.filter(pk=point.pk).update(
        verified=True, last_failure_at=timezone.now(), last_failure_reason="21211 invalid number"
    )

    response = submit(admin_client, point, address="937-555-0177")

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.address, point.verified, point.failing) == ("+19375550177", False, False)
    assert latest_entry().changes == {
        "address": ["+19375550150", "+19375550177"],
        "verified": [True, False],
    }


def test_giving_a_contact_point_a_number_the_member_already_has_is_a_form_error(
    admin_client: Client, nurse: Member
) -> None:
    other = contact_point_add(
        actor=None, member=nurse, channel=Channel.SMS, address="+19375550151", priority=2
    )

    response = submit(admin_client, other, address="+1 937 555 0150")

    assert response.status_code == 200
    assert "already has this sms address" in response.content.decode()
    other.refresh_from_db()
    assert other.address == "+19375550151"


def test_deleting_a_member_in_the_admin_is_recorded(admin_client: Client, nurse: Member) -> None:
    url = reverse("admin:agencies_member_delete", args=[nurse.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert not Member.objects.filter(pk=nurse.pk).exists()
    entry = latest_entry()
    assert (entry.action, entry.object_repr) == ("delete", "Grace Okafor")
    assert entry.changes["full_name"] == ["Grace Okafor", None]


def test_a_hospital_status_change_in_the_admin_is_recorded_and_timestamped(
    admin_client: Client, world: World
) -> None:
    hospital = world.hospital_a1
    started = timezone.now()

    response = submit(admin_client, hospital, ed_status=EdStatus.DIVERSION)

    assert response.status_code == 302
    hospital.refresh_from_db()
    assert hospital.ed_status_at >= started
    entry = latest_entry()
    assert (entry.object_type, entry.agency) == ("hospital", hospital.agency)
    assert entry.changes == {"ed_status": ["open", "diversion"]}


def test_hospital_capacity_edited_on_the_agency_page_is_recorded(
    admin_client: Client, world: World
) -> None:
    agency = world.hospital_a2.agency

    response = submit(admin_client, agency, **{"hospital-0-capacity_immediate": "4"})

    assert response.status_code == 302
    world.hospital_a2.refresh_from_db()
    assert world.hospital_a2.capacity_immediate == 4
    assert world.hospital_a2.capacity_reported_at is not None
    assert latest_entry().changes == {"capacity_immediate": [None, 4]}


def test_adding_a_member_to_a_list_in_the_admin_is_recorded(
    admin_client: Client, officials_list: DistributionList, nurse: Member
) -> None:
    response = submit(admin_client, officials_list, members=[str(nurse.pk)])

    assert response.status_code == 302
    assert list(officials_list.members.all()) == [nurse]
    entry = latest_entry()
    assert (entry.action, entry.object_type) == ("update", "distributionlist")
    assert entry.region_id == officials_list.region_id
    assert entry.changes == {"members": [[], [nurse.pk]]}


def test_a_list_cannot_reach_a_member_of_another_region(
    admin_client: Client, world: World, officials_list: DistributionList
) -> None:
    stranger = member_add(actor=None, agency=world.police_b, full_name="Region B Officer")

    response = submit(admin_client, officials_list, members=[str(stranger.pk)])

    assert response.status_code == 200
    assert "members" in response.context["adminform"].form.errors
    assert not officials_list.members.exists()


def test_a_role_granted_on_the_user_page_is_recorded(admin_client: Client, world: World) -> None:
    user = User.objects.create_user("new_dispatcher", password="x-long-password-1")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(admin_client.get(url))
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-agency": str(world.dispatch_a.pk),
            "memberships-0-roles": ["dispatcher"],
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Membership.objects.get(user=user).roles == ["dispatcher"]
    entry = latest_entry()
    assert (entry.action, entry.object_type, entry.agency) == (
        "create",
        "membership",
        world.dispatch_a,
    )


# --- saves go through agencies.services: checked once, recorded once, all or nothing ----------


def test_a_list_edit_in_the_admin_writes_one_audit_entry(
    admin_client: Client, officials_list: DistributionList, nurse: Member
) -> None:
    entries = AuditEntry.objects.count()

    response = submit(
        admin_client, officials_list, description="Who the county calls", members=[str(nurse.pk)]
    )

    assert response.status_code == 302
    assert AuditEntry.objects.count() == entries + 1
    assert latest_entry().changes == {
        "description": ["", "Who the county calls"],
        "members": [[], [nurse.pk]],
    }


def test_a_member_added_with_a_number_writes_one_entry_for_each(
    admin_client: Client, world: World
) -> None:
    add = reverse("admin:agencies_member_add")
    data = form_data(admin_client.get(add))
    data.update(
        {
            "agency": str(world.police_a.pk),
            "full_name": "Dana Ruiz",
            "contact_points-0-channel": "sms",
            "contact_points-0-address": "(937) 555-0190",
            "contact_points-0-priority": "1",
        }
    )
    data.pop("roles", None)  # no roster role ticked
    entries = AuditEntry.objects.count()

    response = admin_client.post(add, data)

    assert response.status_code == 302
    member = Member.objects.get(full_name="Dana Ruiz")
    assert member.contact_points.get().address == "+19375550190"
    created = AuditEntry.objects.order_by("id")[entries:]
    assert [(e.action, e.object_type) for e in created] == [
        ("create", "member"),
        ("create", "contactpoint"),
    ]


def test_a_rule_only_the_services_check_is_a_form_error_on_its_field(
    admin_client: Client, world: World, officials_list: DistributionList
) -> None:
    # The database's unique (region, name) is case-sensitive; the services' check is not.
    other = distribution_list_save(actor=None, region_id=world.region_a.pk, name="Hospitals")
    entries = AuditEntry.objects.count()

    response = submit(admin_client, other, name="county OFFICIALS", description="Changed")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "already has a list called" in errors["name"][0]
    other.refresh_from_db()
    assert (other.name, other.description) == ("Hospitals", "")
    assert AuditEntry.objects.count() == entries


def test_an_agency_phone_is_checked_by_the_services(admin_client: Client, world: World) -> None:
    response = submit(admin_client, world.police_a, phone="12345")
    assert response.status_code == 200
    assert "not a valid phone number" in response.context["adminform"].form.errors["phone"][0]

    assert submit(admin_client, world.police_a, phone="(937) 555-0100").status_code == 302
    world.police_a.refresh_from_db()
    assert world.police_a.phone == "+19375550100"
    assert latest_entry().changes["phone"][1] == "+19375550100"


def test_a_new_member_with_an_invalid_inline_number_is_not_half_saved(
    admin_client: Client, world: World
) -> None:
    add = reverse("admin:agencies_member_add")
    data = form_data(admin_client.get(add))
    data.update(
        {
            "agency": str(world.police_a.pk),
            "full_name": "Half Saved",
            "contact_points-0-channel": "sms",
            "contact_points-0-address": "12345",
            "contact_points-0-priority": "1",
        }
    )
    data.pop("roles", None)  # no roster role ticked
    entries = AuditEntry.objects.count()

    response = admin_client.post(add, data)

    assert response.status_code == 200
    assert "not a valid phone number" in response.content.decode()
    assert not Member.objects.filter(full_name="Half Saved").exists()
    assert AuditEntry.objects.count() == entries


def test_an_admin_save_the_services_refuse_writes_nothing(world: World, nurse: Member) -> None:
    stranger = member_add(actor=None, agency=world.police_b, full_name="Region B Officer")
    dlist = DistributionList(region_id=world.region_a.pk, name="Mixed")
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        admin_save(
            actor=None,
            obj=dlist,
            before={},
            created=True,
            related={"members": [nurse, stranger]},
            save_related=lambda: dlist.members.set([nurse, stranger]),
        )

    assert "members" in refused.value.message_dict
    assert not DistributionList.objects.filter(name="Mixed").exists()
    assert AuditEntry.objects.count() == entries


# --- the record is read-only ------------------------------------------------------------------


def test_audit_entries_cannot_be_added_edited_or_deleted_in_the_admin(
    admin_client: Client, world: World
) -> None:
    entry = audit_record(
        actor=None, action="update", instance=world.police_a, changes={"name": ["a", "b"]}
    )
    url = change_url(entry)

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "&quot;name&quot;" in page.content.decode()  # the changes are shown, read-only
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(url, {"action": "delete", "changes": "{}"}).status_code == 403
    delete = reverse("admin:agencies_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:agencies_auditentry_add")).status_code == 403

    entry.refresh_from_db()
    assert (entry.action, entry.changes) == ("update", {"name": ["a", "b"]})
