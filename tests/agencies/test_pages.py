"""The web pages: login, home, rosters, distribution lists and hospitals, through the test
client, as each persona would use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agencies import services
from agencies.models import AuditEntry, ContactPoint, DistributionList, EdStatus, Member, RosterRole
from agencies.roster_csv import COLUMNS, parse
from agencies.views.common import age_text
from tests.factories import PASSWORD, DistributionListFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    """Failed-login counters live in the cache; no test may inherit another's lockout."""
    cache.clear()
    yield
    cache.clear()


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- login, logout, home ----------------------------------------------------------------------


def test_login_page_shows_a_sign_in_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = text(response)
    assert "Sign in to ASIM" in body
    assert 'name="username"' in body and 'name="password"' in body


def test_wrong_password_says_the_username_or_password_is_not_right(client, police_admin_a):
    response = client.post(
        reverse("login"), {"username": "police_admin_a", "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "username or password is not right" in text(response)
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_lands_on_home(client, police_admin_a):
    response = client.post(
        reverse("login"), {"username": "police_admin_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Agency admin" in text(response)


def test_username_is_locked_out_after_the_failure_limit_even_with_the_right_password(
    client, police_admin_a, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "police_admin_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "police_admin_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in text(response)
    assert "_auth_user_id" not in client.session


def test_home_lists_the_users_roles_and_the_pages_they_can_open(client, police_admin_a):
    body = text(signed_in(client, police_admin_a).get(reverse("home")))
    assert "Agency admin" in body
    assert reverse("agencies:roster-index") in body
    assert reverse("agencies:hospital-index") in body


def test_home_tells_a_user_without_an_agency_to_ask_their_agency_admin(client, world):
    body = text(signed_in(client, UserFactory()).get(reverse("home")))
    assert "You are not a member of any agency yet — ask your agency admin" in body


def test_header_shows_the_user_their_agency_and_a_logout_form(client, police_admin_a):
    body = text(signed_in(client, police_admin_a).get(reverse("home")))
    assert "police_admin_a" in body
    assert "A Police" in body
    assert f'action="{reverse("logout")}"' in body
    assert "csrfmiddlewaretoken" in body


def test_logout_by_post_signs_the_user_out(client, police_admin_a):
    signed_in(client, police_admin_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_roster_pages_send_an_anonymous_visitor_to_login(client, world):
    response = client.get(reverse("agencies:roster", args=[world.police_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- roster scoping ---------------------------------------------------------------------------


def test_agency_admin_sees_own_roster_with_edit_controls(client, police_admin_a, world):
    MemberFactory(agency=world.police_a, full_name="Dana Reyes")
    response = signed_in(client, police_admin_a).get(
        reverse("agencies:roster", args=[world.police_a.pk])
    )
    assert response.status_code == 200
    body = text(response)
    assert "Dana Reyes" in body
    assert reverse("agencies:member-add", args=[world.police_a.pk]) in body
    assert reverse("agencies:roster-import", args=[world.police_a.pk]) in body


def test_agency_admin_cannot_open_another_agencys_roster(client, police_admin_a, world):
    signed_in(client, police_admin_a)
    assert client.get(reverse("agencies:roster", args=[world.ems_a.pk])).status_code == 404
    response = client.post(
        reverse("agencies:member-add", args=[world.ems_a.pk]), {"full_name": "Intruder"}
    )
    assert response.status_code == 404
    assert not Member.objects.filter(full_name="Intruder").exists()


def test_dispatcher_reads_the_regions_rosters_without_edit_controls(client, dispatcher_a, world):
    MemberFactory(agency=world.police_a, full_name="Dana Reyes")
    signed_in(client, dispatcher_a)
    index = text(client.get(reverse("agencies:roster-index")))
    assert "A Police" in index and "A1 Hospital" in index
    assert "B Police" not in index
    response = client.get(reverse("agencies:roster", args=[world.police_a.pk]))
    assert response.status_code == 200
    assert "Dana Reyes" in text(response)
    assert "read only" in text(response)
    assert reverse("agencies:member-add", args=[world.police_a.pk]) not in text(response)


def test_dispatcher_cannot_change_a_roster_they_can_read(client, dispatcher_a, world):
    member = MemberFactory(agency=world.police_a)
    signed_in(client, dispatcher_a)
    add = client.post(reverse("agencies:member-add", args=[world.police_a.pk]), {"full_name": "X"})
    assert add.status_code == 403
    deactivate = client.post(
        reverse("agencies:member-deactivate", args=[world.police_a.pk, member.pk])
    )
    assert deactivate.status_code == 403
    member.refresh_from_db()
    assert member.active


def test_outsider_from_region_b_gets_404_for_region_a_rosters(client, outsider_b, world):
    member = MemberFactory(agency=world.police_a)
    signed_in(client, outsider_b)
    for url in (
        reverse("agencies:roster", args=[world.police_a.pk]),
        reverse("agencies:member-detail", args=[world.police_a.pk, member.pk]),
        reverse("agencies:roster-export", args=[world.police_a.pk]),
        reverse("agencies:roster-import", args=[world.police_a.pk]),
        reverse("agencies:roster-history", args=[world.police_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "A Police" not in text(client.get(reverse("agencies:roster-index")))


def test_er_nurse_cannot_open_any_roster(client, nurse_a1, world):
    signed_in(client, nurse_a1)
    own = client.get(reverse("agencies:roster", args=[world.hospital_a1.agency.pk]))
    assert own.status_code in (403, 404)
    index = text(client.get(reverse("agencies:roster-index")))
    assert "No rosters to show" in index


def test_member_of_another_agency_is_not_found_under_this_agencys_url(
    client, police_admin_a, world
):
    stranger = MemberFactory(agency=world.ems_a)
    response = signed_in(client, police_admin_a).get(
        reverse("agencies:member-edit", args=[world.police_a.pk, stranger.pk])
    )
    assert response.status_code == 404


# --- roster page: search, filters, flags, pages -----------------------------------------------


def test_roster_search_finds_members_by_name_title_and_badge_number(client, police_admin_a, world):
    MemberFactory(agency=world.police_a, full_name="Dana Reyes", title="Sergeant")
    MemberFactory(agency=world.police_a, full_name="Sam Ortiz", title="Officer", external_id="B-77")
    url = reverse("agencies:roster", args=[world.police_a.pk])
    signed_in(client, police_admin_a)
    by_name = text(client.get(url, {"q": "reyes"}))
    assert "Dana Reyes" in by_name and "Sam Ortiz" not in by_name
    by_title = text(client.get(url, {"q": "sergeant"}))
    assert "Dana Reyes" in by_title and "Sam Ortiz" not in by_title
    by_badge = text(client.get(url, {"q": "B-77"}))
    assert "Sam Ortiz" in by_badge and "Dana Reyes" not in by_badge
    nobody = text(client.get(url, {"q": "zzz"}))
    assert "No active member matches" in nobody


def test_roster_filters_on_call_and_inactive_members(client, police_admin_a, world):
    MemberFactory(agency=world.police_a, full_name="On Call Olga", on_call=True)
    MemberFactory(agency=world.police_a, full_name="Off Duty Otto")
    MemberFactory(agency=world.police_a, full_name="Retired Rita", active=False)
    url = reverse("agencies:roster", args=[world.police_a.pk])
    signed_in(client, police_admin_a)
    active = text(client.get(url))
    assert "On Call Olga" in active and "Off Duty Otto" in active
    assert "Retired Rita" not in active
    on_call = text(client.get(url, {"status": "on_call"}))
    assert "On Call Olga" in on_call and "Off Duty Otto" not in on_call
    inactive = text(client.get(url, {"status": "inactive"}))
    assert "Retired Rita" in inactive and "On Call Olga" not in inactive


def test_roster_shows_contact_points_inline_and_flags_failing_ones(client, dispatcher_a, world):
    member = MemberFactory(agency=world.police_a, full_name="Dana Reyes")
    good = services.contact_point_add(
        actor=None, member=member, channel="sms", address="(937) 555-0101"
    )
    bad = services.contact_point_add(
        actor=None, member=member, channel="voice", address="(937) 555-0102"
    )
    services.contact_point_mark_failed(point_id=bad.pk, reason="Twilio 21211: invalid number")
    body = text(
        signed_in(client, dispatcher_a).get(reverse("agencies:roster", args=[world.police_a.pk]))
    )
    # Phones read as people of the region write them, not as stored E.164.
    assert "(937) 555-0101" in body and "(937) 555-0102" in body
    assert good.address == "+19375550101" and good.address not in body
    assert "Failing" in body
    assert "Twilio 21211: invalid number" in body


def test_roster_pages_through_long_rosters(client, police_admin_a, world):
    for n in range(55):
        MemberFactory(agency=world.police_a, full_name=f"Person {n:02d}")
    url = reverse("agencies:roster", args=[world.police_a.pk])
    signed_in(client, police_admin_a)
    first = text(client.get(url))
    assert "Page 1 of 2" in first
    assert "Person 00" in first and "Person 54" not in first
    second = text(client.get(url, {"page": 2}))
    assert "Person 54" in second and "Person 00" not in second


# --- roster changes ---------------------------------------------------------------------------


def test_agency_admin_adds_a_member_whose_phone_is_stored_in_e164(client, police_admin_a, world):
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-add", args=[world.police_a.pk]),
        {
            "full_name": "Dana Reyes",
            "title": "Sergeant",
            "external_id": "B-1042",
            "roles": [RosterRole.SUPERVISOR, RosterRole.DUTY_OFFICER],
            "on_call": "on",
            "sms": "(937) 555-0142",
            "email": "Dana.Reyes@Example.org",
        },
    )
    member = Member.objects.get(agency=world.police_a, full_name="Dana Reyes")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "agencies:member-detail", args=[world.police_a.pk, member.pk]
    )
    assert member.roles == ["duty_officer", "supervisor"] and member.on_call
    assert set(member.contact_points.values_list("channel", "address")) == {
        ("sms", "+19375550142"),
        ("email", "dana.reyes@example.org"),
    }
    assert AuditEntry.objects.filter(agency=world.police_a, actor=police_admin_a).exists()
    page = text(client.get(response["Location"]))
    assert "Dana Reyes was added to the roster." in page


def test_adding_a_member_with_an_invalid_phone_shows_the_field_error_and_saves_nothing(
    client, police_admin_a, world
):
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-add", args=[world.police_a.pk]),
        {"full_name": "Dana Reyes", "sms": "12345"},
    )
    assert response.status_code == 400
    assert "is not a valid phone number" in text(response)
    assert response.context["form"].errors["sms"]
    assert not Member.objects.filter(full_name="Dana Reyes").exists()


def test_adding_a_member_with_an_invalid_email_shows_the_error_on_the_email_field(
    client, police_admin_a, world
):
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-add", args=[world.police_a.pk]),
        {"full_name": "Dana Reyes", "sms": "(937) 555-0142", "email": "dana@"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert not Member.objects.filter(full_name="Dana Reyes").exists()
    assert not ContactPoint.objects.exists()  # the good phone went with the refused member


def test_adding_a_member_without_a_name_says_so(client, police_admin_a, world):
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-add", args=[world.police_a.pk]), {"full_name": "  "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["full_name"]


def test_a_badge_number_used_by_another_member_is_refused_on_the_field(
    client, police_admin_a, world
):
    MemberFactory(agency=world.police_a, external_id="B-1")
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-add", args=[world.police_a.pk]),
        {"full_name": "Second", "external_id": "B-1"},
    )
    assert response.status_code == 400
    assert "has ID B-1" in response.context["form"].errors["external_id"][0]


def test_agency_admin_edits_a_members_title_and_duties(client, police_admin_a, world):
    member = MemberFactory(agency=world.police_a, full_name="Dana Reyes", title="Officer")
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:member-edit", args=[world.police_a.pk, member.pk]),
        {"full_name": "Dana Reyes", "title": "Lieutenant", "roles": ["command"]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.title == "Lieutenant" and member.roles == ["command"]
    entry = AuditEntry.objects.filter(object_type="member", object_id=str(member.pk)).first()
    assert entry.changes["title"] == ["Officer", "Lieutenant"]


def test_deactivate_asks_for_confirmation_then_takes_the_member_off_call(
    client, police_admin_a, world
):
    member = MemberFactory(agency=world.police_a, full_name="Dana Reyes", on_call=True)
    url = reverse("agencies:member-deactivate", args=[world.police_a.pk, member.pk])
    signed_in(client, police_admin_a)
    confirm = client.get(url)
    assert "Deactivate Dana Reyes?" in text(confirm)
    member.refresh_from_db()
    assert member.active  # a GET changes nothing
    done = client.post(url, follow=True)
    assert "Dana Reyes is deactivated and will receive no notifications." in text(done)
    member.refresh_from_db()
    assert not member.active and not member.on_call
    roster_url = reverse("agencies:roster", args=[world.police_a.pk])
    assert "Dana Reyes" not in text(client.get(roster_url))
    assert "Dana Reyes" in text(client.get(roster_url, {"status": "inactive"}))
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DEACTIVATE, object_id=str(member.pk)
    ).exists()


def test_reactivate_puts_the_member_back_on_the_active_roster(client, police_admin_a, world):
    member = MemberFactory(agency=world.police_a, active=False)
    signed_in(client, police_admin_a)
    url = reverse("agencies:member-reactivate", args=[world.police_a.pk, member.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    member.refresh_from_db()
    assert member.active


def test_agency_admin_adds_edits_and_removes_a_contact_point(client, police_admin_a, world):
    member = MemberFactory(agency=world.police_a)
    signed_in(client, police_admin_a)
    add = client.post(
        reverse("agencies:contact-add", args=[world.police_a.pk, member.pk]),
        {"channel": "voice", "address": "937 555 0150", "priority": 2},
    )
    assert add.status_code == 302
    point = ContactPoint.objects.get(member=member)
    assert (point.channel, point.address, point.priority) == ("voice", "+19375550150", 2)

    edit = client.post(
        reverse("agencies:contact-edit", args=[world.police_a.pk, member.pk, point.pk]),
        {"channel": "sms", "address": "+1 937 555 0151", "priority": 1},
    )
    assert edit.status_code == 302
    point.refresh_from_db()
    assert (point.channel, point.address) == ("sms", "+19375550151")

    remove_url = reverse("agencies:contact-remove", args=[world.police_a.pk, member.pk, point.pk])
    assert "Remove SMS (937) 555-0151?" in text(client.get(remove_url))
    assert client.post(remove_url).status_code == 302
    assert not ContactPoint.objects.filter(pk=point.pk).exists()


def test_an_invalid_contact_number_shows_the_error_on_the_address_field(
    client, police_admin_a, world
):
    member = MemberFactory(agency=world.police_a)
    response = signed_in(client, police_admin_a).post(
        reverse("agencies:contact-add", args=[world.police_a.pk, member.pk]),
        {"channel": "sms", "address": "call me maybe", "priority": 1},
    )
    assert response.status_code == 400
    assert "is not a phone number" in response.context["form"].errors["address"][0]
    assert not member.contact_points.exists()


def test_export_downloads_the_roster_as_csv_in_the_import_format(client, dispatcher_a, world):
    member = MemberFactory(agency=world.police_a, full_name="Dana Reyes", external_id="B-9")
    services.contact_point_add(actor=None, member=member, channel="sms", address="9375550142")
    MemberFactory(agency=world.ems_a, full_name="Not In This Roster")
    response = signed_in(client, dispatcher_a).get(
        reverse("agencies:roster-export", args=[world.police_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = text(response)
    assert body.splitlines()[0] == ",".join(COLUMNS)
    assert "B-9,Dana Reyes" in body and "+19375550142" in body
    assert "Not In This Roster" not in body


def test_the_template_csv_has_the_header_and_an_example_row_that_imports(client, police_admin_a):
    response = signed_in(client, police_admin_a).get(reverse("agencies:roster-template"))
    assert response.status_code == 200
    lines = text(response).splitlines()
    assert len(lines) == 2
    parsed = parse(text(response))
    assert parsed.ok and parsed.rows[0].full_name == "Jordan Smith"


def test_change_history_shows_who_changed_what_for_agency_admins_only(
    client, police_admin_a, dispatcher_a, world
):
    member = services.member_add(
        actor=police_admin_a, agency=world.police_a, full_name="Dana Reyes", title="Officer"
    )
    services.member_update(actor=police_admin_a, member=member, title="Sergeant")
    url = reverse("agencies:roster-history", args=[world.police_a.pk])
    body = text(signed_in(client, police_admin_a).get(url))
    assert "police_admin_a" in body
    assert "Dana Reyes" in body
    assert "Officer" in body and "Sergeant" in body
    client.logout()
    assert signed_in(client, dispatcher_a).get(url).status_code == 403


def test_change_history_records_a_roster_import_with_its_counts(client, police_admin_a, world):
    services.roster_import(
        actor=police_admin_a, agency=world.police_a, text="full_name,sms\nDana,9375550142\n"
    )
    url = reverse("agencies:roster-history", args=[world.police_a.pk])
    body = text(signed_in(client, police_admin_a).get(url))
    assert "Imported</strong> roster" in body
    assert "contact points added</span>: 1" in body


# --- distribution lists -----------------------------------------------------------------------


def test_list_index_shows_the_regions_lists_with_how_many_people_they_reach(
    client, dispatcher_a, world
):
    MemberFactory(agency=world.officials_a, full_name="Mayor May")
    MemberFactory(agency=world.officials_a, full_name="Gone Gus", active=False)
    DistributionListFactory(
        region=world.region_a, name="County officials", disciplines=["officials"]
    )
    DistributionListFactory(region=world.region_b, name="B secret list")
    body = text(signed_in(client, dispatcher_a).get(reverse("agencies:list-index")))
    assert "County officials" in body
    assert "<strong>1</strong> person" in body
    assert "B secret list" not in body
    assert reverse("agencies:list-create") not in body  # dispatchers read lists, EMs keep them


def test_list_detail_shows_the_people_it_reaches(client, em_a, outsider_b, world):
    mayor = MemberFactory(agency=world.officials_a, full_name="Mayor May", title="Mayor")
    services.contact_point_add(actor=None, member=mayor, channel="sms", address="9375550160")
    MemberFactory(agency=world.officials_a, full_name="Clerk Cleo")
    dlist = DistributionListFactory(region=world.region_a, name="County officials")
    dlist.agencies.add(world.officials_a)
    url = reverse("agencies:list-detail", args=[dlist.pk])
    body = text(signed_in(client, em_a).get(url))
    assert "Mayor May" in body and "Clerk Cleo" in body
    assert "No way to reach" in body  # Cleo has no contact point
    assert reverse("agencies:list-edit", args=[dlist.pk]) in body
    client.logout()
    assert signed_in(client, outsider_b).get(url).status_code == 404


def test_emergency_manager_creates_a_list_from_people_agencies_and_disciplines(client, em_a, world):
    chief = MemberFactory(agency=world.police_a, full_name="Chief Cho")
    signed_in(client, em_a)
    form = client.get(reverse("agencies:list-create"), {"region": world.region_a.pk})
    assert form.status_code == 200
    assert "Chief Cho" in text(form)
    response = client.post(
        f"{reverse('agencies:list-create')}?region={world.region_a.pk}",
        {
            "name": "Incident leaders",
            "description": "Who runs the response",
            "members": [chief.pk],
            "agencies": [world.em_a.pk],
            "disciplines": ["officials"],
        },
    )
    dlist = DistributionList.objects.get(name="Incident leaders")
    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:list-detail", args=[dlist.pk])
    assert list(dlist.members.all()) == [chief]
    assert list(dlist.agencies.all()) == [world.em_a]
    assert dlist.disciplines == ["officials"] and dlist.region == world.region_a


def test_emergency_manager_edits_a_list_and_a_clashing_name_is_refused(client, em_a, world):
    DistributionListFactory(region=world.region_a, name="Officials")
    dlist = DistributionListFactory(region=world.region_a, name="ER contacts", disciplines=["ems"])
    url = reverse("agencies:list-edit", args=[dlist.pk])
    signed_in(client, em_a)
    clash = client.post(url, {"name": "officials", "disciplines": ["hospital"]})
    assert clash.status_code == 400
    assert "already has a list called" in clash.context["form"].errors["name"][0]
    ok = client.post(url, {"name": "ER contacts", "disciplines": ["hospital"]})
    assert ok.status_code == 302
    dlist.refresh_from_db()
    assert dlist.disciplines == ["hospital"]


def test_a_list_that_reaches_nobody_is_refused(client, em_a, world):
    response = signed_in(client, em_a).post(
        f"{reverse('agencies:list-create')}?region={world.region_a.pk}", {"name": "Empty"}
    )
    assert response.status_code == 400
    assert "Pick at least one person, agency or discipline." in text(response)
    assert not DistributionList.objects.filter(name="Empty").exists()


def test_dispatcher_cannot_create_or_edit_lists(client, dispatcher_a, world):
    dlist = DistributionListFactory(region=world.region_a, name="Officials")
    signed_in(client, dispatcher_a)
    assert client.get(reverse("agencies:list-create")).status_code == 403
    response = client.post(
        reverse("agencies:list-edit", args=[dlist.pk]), {"name": "Hijacked", "disciplines": ["em"]}
    )
    assert response.status_code == 403
    dlist.refresh_from_db()
    assert dlist.name == "Officials"


def test_emergency_manager_deletes_a_list_after_confirming(client, em_a, world):
    dlist = DistributionListFactory(region=world.region_a, name="Old list")
    url = reverse("agencies:list-delete", args=[dlist.pk])
    signed_in(client, em_a)
    assert "Delete the list Old list?" in text(client.get(url))
    assert client.post(url).status_code == 302
    assert not DistributionList.objects.filter(pk=dlist.pk).exists()


# --- hospitals --------------------------------------------------------------------------------


def test_age_text_reads_like_a_board():
    now = timezone.now()
    assert age_text(None, now) == "never reported"
    assert age_text(now - timedelta(seconds=20), now) == "just now"
    assert age_text(now - timedelta(minutes=12, seconds=5), now) == "12 min ago"
    assert age_text(now - timedelta(hours=3, minutes=5), now) == "3 h 5 min ago"
    assert age_text(now - timedelta(days=2, hours=1), now) == "2 days ago"


def test_hospitals_page_shows_status_capability_and_capacity_with_their_age(
    client, dispatcher_a, world
):
    hospital = world.hospital_a1
    hospital.ed_status = EdStatus.DIVERSION
    hospital.ed_status_at = timezone.now() - timedelta(minutes=12)
    hospital.capacity_immediate, hospital.capacity_delayed, hospital.capacity_minor = 2, 4, 10
    hospital.capacity_reported_at = timezone.now() - timedelta(hours=3)
    hospital.pediatric = True
    hospital.save()
    body = text(signed_in(client, dispatcher_a).get(reverse("agencies:hospital-index")))
    assert "A1 Hospital" in body and "A2 Hospital" in body
    assert "B1 Hospital" not in body
    assert "ed-diversion" in body and "Diversion" in body
    assert "12 min ago" in body
    assert "3 h ago" in body and "is-stale" in body
    assert "Paediatric" in body and "Trauma Level II" in body
    assert 'name="ed_status"' not in body  # dispatchers read hospital status only


def test_er_nurse_updates_their_own_hospitals_ed_status_and_capacity(client, nurse_a1, world):
    hospital = world.hospital_a1
    url = reverse("agencies:hospital-status", args=[hospital.pk])
    signed_in(client, nurse_a1)
    page = text(client.get(reverse("agencies:hospital-index")))
    assert page.count('name="ed_status"') == 1  # a form for A1 only
    assert client.post(url, {"part": "status", "ed_status": "diversion"}).status_code == 302
    capacity = client.post(
        url, {"part": "capacity", "immediate": "2", "delayed": "4", "minor": "10"}, follow=True
    )
    hospital.refresh_from_db()
    assert hospital.ed_status == "diversion" and hospital.ed_status_at is not None
    assert (hospital.capacity_immediate, hospital.capacity_delayed, hospital.capacity_minor) == (
        2,
        4,
        10,
    )
    assert "A1 Hospital: capacity reported." in text(capacity)
    assert AuditEntry.objects.filter(agency=hospital.agency, actor=nurse_a1).count() == 2


def test_er_nurse_cannot_update_another_hospital(client, nurse_a1, world):
    url = reverse("agencies:hospital-status", args=[world.hospital_a2.pk])
    response = signed_in(client, nurse_a1).post(url, {"part": "status", "ed_status": "closed"})
    assert response.status_code == 403
    world.hospital_a2.refresh_from_db()
    assert world.hospital_a2.ed_status == EdStatus.OPEN


def test_outsider_cannot_update_a_region_a_hospital(client, outsider_b, world):
    url = reverse("agencies:hospital-status", args=[world.hospital_a1.pk])
    response = signed_in(client, outsider_b).post(url, {"part": "status", "ed_status": "closed"})
    assert response.status_code == 404


def test_emergency_manager_updates_any_hospital_of_the_region(client, em_a, world):
    url = reverse("agencies:hospital-status", args=[world.hospital_a2.pk])
    response = signed_in(client, em_a).post(url, {"part": "status", "ed_status": "advisory"})
    assert response.status_code == 302
    world.hospital_a2.refresh_from_db()
    assert world.hospital_a2.ed_status == EdStatus.ADVISORY


def test_a_negative_or_empty_capacity_report_is_refused_with_a_message(client, nurse_a1, world):
    url = reverse("agencies:hospital-status", args=[world.hospital_a1.pk])
    signed_in(client, nurse_a1)
    negative = client.post(url, {"part": "capacity", "immediate": "-1", "delayed": "", "minor": ""})
    assert negative.status_code == 400
    assert "greater than or equal to 0" in text(negative)
    empty = client.post(url, {"part": "capacity", "immediate": "", "delayed": "", "minor": ""})
    assert empty.status_code == 400
    assert "Enter at least one number" in text(empty)
    world.hospital_a1.refresh_from_db()
    assert world.hospital_a1.capacity_reported_at is None


def test_phones_on_the_pages_read_in_the_regions_national_format(client, dispatcher_a, world):
    world.hospital_a1.agency.phone = "+19375550199"
    world.hospital_a1.agency.save()
    member = MemberFactory(agency=world.police_a, full_name="Visiting Officer")
    services.contact_point_add(actor=None, member=member, channel="sms", address="+442071838750")
    services.contact_point_add(actor=None, member=member, channel="email", address="v@example.org")
    signed_in(client, dispatcher_a)
    hospitals = text(client.get(reverse("agencies:hospital-index")))
    assert "(937) 555-0199" in hospitals and "+19375550199" not in hospitals
    roster = text(client.get(reverse("agencies:roster", args=[world.police_a.pk])))
    # A number of another country keeps its country code, spaced as that country writes it.
    assert "+44 20 7183 8750" in roster and "v@example.org" in roster


def test_the_export_filename_is_safe_whatever_the_short_code(client, dispatcher_a, world):
    world.police_a.short_code = 'A"P\r\nX-Evil: 1'
    world.police_a.save()
    response = signed_in(client, dispatcher_a).get(
        reverse("agencies:roster-export", args=[world.police_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="roster-ap-x-evil-1-')
    assert "X-Evil" not in response


def test_an_agency_admin_sees_only_their_own_people_on_a_list_page(
    client, police_admin_a, em_a, world
):
    chief = MemberFactory(agency=world.police_a, full_name="Chief Hale")
    MemberFactory(agency=world.officials_a, full_name="Mayor May")
    dlist = DistributionListFactory(
        region=world.region_a, name="Leaders", disciplines=["officials"]
    )
    dlist.members.add(chief)
    url = reverse("agencies:list-detail", args=[dlist.pk])
    body = text(signed_in(client, police_admin_a).get(url))
    assert "Leaders" in body and "Chief Hale" in body
    assert "Mayor May" not in body
    assert "1 more is on other agencies" in body
    client.logout()
    body = text(signed_in(client, em_a).get(url))
    assert "Chief Hale" in body and "Mayor May" in body
