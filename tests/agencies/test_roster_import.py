"""Roster CSV import: all rows or none, every bad row reported, idempotent, round-trips with
the export; through the service and through the upload page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies import roster_csv, services
from agencies.forms import MAX_UPLOAD_BYTES
from agencies.models import AuditEntry, ContactPoint, Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,full_name,title,roles,active,on_call,sms,voice,email"
GOOD = "\n".join(
    [
        HEADER,
        "B-1,Dana Reyes,Sergeant,supervisor;duty_officer,yes,yes,(937) 555-0101,,dana@example.org",
        "B-2,Sam Ortiz,Officer,staff,yes,no,937-555-0102,937-555-0103,",
        ",Pat Kim,Chief,command,,,+1 937 555 0104,,pat.kim@example.org",
    ]
)


def import_text(agency, text, actor=None):
    return services.roster_import(actor=actor, agency=agency, text=text)


def upload(client, agency, content: bytes, name: str = "roster.csv"):
    return client.post(
        reverse("agencies:roster-import", args=[agency.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


# --- the service ------------------------------------------------------------------------------


def test_a_good_file_imports_every_row_with_normalised_contacts(world, police_admin_a):
    report = import_text(world.police_a, GOOD, actor=police_admin_a)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.contact_points_added == 6
    dana = Member.objects.get(agency=world.police_a, external_id="B-1")
    assert dana.full_name == "Dana Reyes" and dana.on_call and dana.active
    assert dana.roles == ["duty_officer", "supervisor"]
    assert list(dana.contact_points.values_list("channel", "address", "priority")) == [
        ("sms", "+19375550101", 1),
        ("email", "dana@example.org", 2),
    ]
    sam = Member.objects.get(external_id="B-2")
    assert set(sam.contact_points.values_list("channel", "address")) == {
        ("sms", "+19375550102"),
        ("voice", "+19375550103"),
    }
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.IMPORT, agency=world.police_a, actor=police_admin_a
    ).exists()


def test_a_good_file_is_written_in_one_transaction(world, monkeypatch):
    """A failure while writing the last row leaves no trace of the earlier rows."""
    real_add = services.contact_point_add

    def failing_add(**kwargs):
        if kwargs["address"] == "+19375550104":
            raise RuntimeError("database went away")
        return real_add(**kwargs)

    monkeypatch.setattr(services, "contact_point_add", failing_add)
    with pytest.raises(RuntimeError):
        import_text(world.police_a, GOOD)
    assert not Member.objects.filter(agency=world.police_a).exists()
    assert not ContactPoint.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_file_with_bad_rows_writes_nothing_and_reports_each_bad_row(world):
    text = "\n".join(
        [
            HEADER,
            "B-1,Good Gina,,,yes,no,(937) 555-0101,,",  # line 2: fine
            "B-2,Bad Phone,,,yes,no,12345,,",  # line 3
            "B-3,Bad Role,,sheriff,yes,no,,,",  # line 4
            "B-4,,,,yes,no,,,",  # line 5: empty name
            "B-1,Twin Gina,,,yes,no,,,",  # line 6: duplicate external_id
            "B-6,Bad Flag,,,maybe,no,,,",  # line 7
        ]
    )
    report = import_text(world.police_a, text)
    assert not report.ok
    assert not Member.objects.exists() and not ContactPoint.objects.exists()
    reasons = {error.line: (error.name, " ".join(error.reasons)) for error in report.parsed.errors}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert reasons[3][0] == "Bad Phone" and "not a valid phone number" in reasons[3][1]
    assert "Unknown role(s): sheriff" in reasons[4][1]
    assert reasons[5] == ("(no name)", "full_name is empty")
    assert "external_id B-1 repeats line 2" in reasons[6][1]
    assert "active: write yes or no, not 'maybe'" in reasons[7][1]


def test_importing_the_same_file_twice_creates_no_duplicates(world):
    import_text(world.police_a, GOOD)
    again = import_text(world.police_a, GOOD)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.contact_points_added == 0
    assert Member.objects.filter(agency=world.police_a).count() == 3
    assert ContactPoint.objects.count() == 6


def test_a_changed_row_is_reported_as_updated(world):
    import_text(world.police_a, GOOD)
    changed = GOOD.replace("B-2,Sam Ortiz,Officer", "B-2,Sam Ortiz,Detective")
    report = import_text(world.police_a, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Member.objects.get(external_id="B-2").title == "Detective"


def test_two_members_with_the_same_name_and_no_badge_number_are_an_error_not_a_guess(world):
    MemberFactory(agency=world.police_a, full_name="Pat Kim")
    MemberFactory(agency=world.police_a, full_name="Pat Kim")
    report = import_text(world.police_a, f"{HEADER}\n,Pat Kim,Chief,,,,,,")
    assert not report.ok
    assert "2 members are called Pat Kim" in report.parsed.errors[0].reasons[0]
    assert not Member.objects.filter(title="Chief").exists()


def test_export_then_import_changes_nothing(world, police_admin_a):
    dana = services.member_add(
        actor=None,
        agency=world.police_a,
        full_name="Dana Reyes",
        external_id="B-1",
        title="Sergeant, Patrol",  # a comma must survive the round trip
        roles=["supervisor", "pio"],
        on_call=True,
    )
    services.contact_point_add(actor=None, member=dana, channel="sms", address="9375550101")
    services.contact_point_add(actor=None, member=dana, channel="sms", address="9375550105")
    services.contact_point_add(actor=None, member=dana, channel="email", address="d@example.org")
    retired = services.member_add(actor=None, agency=world.police_a, full_name="Old Otto")
    services.member_deactivate(actor=None, member=retired)
    members = Member.objects.filter(agency=world.police_a).prefetch_related("contact_points")
    exported = roster_csv.export(members)
    entries_before = AuditEntry.objects.count()

    report = import_text(world.police_a, exported, actor=police_admin_a)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.contact_points_added == 0
    assert AuditEntry.objects.count() == entries_before + 1  # the import's own record only
    assert roster_csv.export(members.all()) == exported


def test_a_file_that_is_not_utf8_gets_a_clear_message():
    with pytest.raises(ValidationError) as caught:
        roster_csv.decode("full_name\nJosé Núñez\n".encode("latin-1"))
    assert "not UTF-8" in caught.value.messages[0]


def test_a_utf8_file_with_an_excel_bom_is_read(world):
    text = roster_csv.decode("\ufefffull_name\nJosé Núñez\n".encode())
    report = import_text(world.police_a, text)
    assert report.ok and Member.objects.get().full_name == "José Núñez"


def test_a_missing_column_header_is_named_in_the_message(world):
    report = import_text(world.police_a, "name,sms\nDana,9375550101\n")
    assert not report.ok
    assert "missing column(s): full_name" in report.parsed.file_error
    assert "unknown column(s): name" in report.parsed.file_error
    assert not Member.objects.exists()


# --- the upload page --------------------------------------------------------------------------


def test_uploading_a_good_file_shows_the_counts(client, police_admin_a, world):
    client.force_login(police_admin_a)
    response = upload(client, world.police_a, GOOD.encode())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Import complete" in body
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged, report.contact_points_added) == (
        3,
        0,
        0,
        6,
    )
    assert '<span class="stat__value">3</span><span class="stat__label">created</span>' in body
    assert Member.objects.filter(agency=world.police_a).count() == 3

    again = upload(client, world.police_a, GOOD.encode()).content.decode()
    assert '<span class="stat__value">3</span><span class="stat__label">unchanged</span>' in again


def test_uploading_a_file_with_bad_rows_lists_them_and_imports_nothing(
    client, police_admin_a, world
):
    client.force_login(police_admin_a)
    content = f"{HEADER}\nB-1,Good Gina,,,,,,,\nB-2,Bad Phone,,,,,12345,,\n".encode()
    response = upload(client, world.police_a, content)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "1 row of the file has a problem" in body
    assert '<td class="num" data-label="Line">3</td>' in body and "Bad Phone" in body
    assert "not a valid phone number" in body
    assert not Member.objects.exists()


def test_uploading_a_non_utf8_file_says_how_to_save_it(client, police_admin_a, world):
    client.force_login(police_admin_a)
    response = upload(client, world.police_a, "full_name\nJosé\n".encode("latin-1"))
    assert response.status_code == 400
    assert "save it as CSV UTF-8" in response.content.decode()
    assert not Member.objects.exists()


def test_uploading_a_file_without_the_name_column_says_which_column_is_missing(
    client, police_admin_a, world
):
    client.force_login(police_admin_a)
    response = upload(client, world.police_a, b"name,title\nDana,Sergeant\n")
    assert response.status_code == 400
    assert "missing column(s): full_name" in response.content.decode()


def test_uploading_a_file_over_the_size_limit_is_refused_with_the_limit(
    client, police_admin_a, world
):
    client.force_login(police_admin_a)
    big = (HEADER + "\n").encode() + b"x" * (MAX_UPLOAD_BYTES + 1)
    response = upload(client, world.police_a, big)
    assert response.status_code == 400
    assert "the limit is 2 MB" in response.content.decode()
    assert not Member.objects.exists()


def test_uploading_an_empty_file_says_so(client, police_admin_a, world):
    client.force_login(police_admin_a)
    response = upload(client, world.police_a, b"")
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()


def test_only_the_agencys_admin_may_import(client, dispatcher_a, outsider_b, world):
    client.force_login(dispatcher_a)
    assert upload(client, world.police_a, GOOD.encode()).status_code == 403
    client.force_login(outsider_b)
    assert upload(client, world.police_a, GOOD.encode()).status_code == 404
    assert not Member.objects.exists()


def test_the_import_page_explains_the_format_and_offers_the_template(client, police_admin_a, world):
    client.force_login(police_admin_a)
    body = client.get(reverse("agencies:roster-import", args=[world.police_a.pk])).content.decode()
    assert reverse("agencies:roster-template") in body
    assert "full_name" in body and "at most 2 MB" in body


FORMULA_ROSTER = "\n".join(
    [
        HEADER,
        'X-1,"=HYPERLINK(""http://x.example"",""click"")",Officer,,,,9375550101,,',
        "X-2,-Smith,@SUM(1+1),,,,,,",
        "X-3,Dana Reyes,+cmd,,,,,,",
    ]
)


def test_export_neutralises_formula_cells_and_the_import_takes_them_back(world, police_admin_a):
    report = import_text(world.police_a, FORMULA_ROSTER, actor=police_admin_a)
    assert report.ok
    # Real names that start with a dash are stored and shown as they were written.
    assert Member.objects.get(external_id="X-2").full_name == "-Smith"
    members = Member.objects.filter(agency=world.police_a).prefetch_related("contact_points")

    exported = roster_csv.export(members)

    rows = {row[0]: row for row in csv.reader(io.StringIO(exported))}
    assert rows["X-1"][1] == '\'=HYPERLINK("http://x.example","click")'
    assert rows["X-2"][1:3] == ["'-Smith", "'@SUM(1+1)"]
    assert rows["X-3"][1:3] == ["Dana Reyes", "'+cmd"]
    assert rows["X-1"][6] == "+19375550101"  # a phone number is not a formula: no quote
    again = import_text(world.police_a, exported, actor=police_admin_a)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Member.objects.get(external_id="X-2").full_name == "-Smith"


def test_the_roster_page_and_the_download_show_a_dash_name_as_written(
    client, police_admin_a, world
):
    MemberFactory(agency=world.police_a, full_name="-Smith", external_id="X-2")
    client.force_login(police_admin_a)
    page = client.get(reverse("agencies:roster", args=[world.police_a.pk])).content.decode()
    assert "-Smith" in page and "&#x27;-Smith" not in page and "'-Smith" not in page
    download = client.get(reverse("agencies:roster-export", args=[world.police_a.pk]))
    assert "X-2,'-Smith," in download.content.decode()
