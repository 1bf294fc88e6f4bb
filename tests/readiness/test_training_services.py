"""Training services: catalogue validation, expiry, attendance, the sign-in sheet import,
coverage and refreshers due, each change audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AuditEntry
from readiness.models import TrainingRecord
from readiness.services import training
from readiness.training_queries import coverage, instructors_by_discipline, refreshers_due
from tests.factories import MemberFactory
from tests.readiness.training_fixtures import TODAY, Training

pytestmark = pytest.mark.django_db

SHEET_OK = (
    "full_name,email,phone,agency,completed_on\n"
    "Alice A.,alice@apd.test,,,\n"
    "Robert Brown,,(937) 555-0101,,\n"
    "Carol Cole,,,,\n"
)


def test_expiry_adds_calendar_months_and_clamps():
    assert training.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert training.add_months(date(2026, 11, 15), 24) == date(2028, 11, 15)


def test_course_validation_lists_field_errors(world):
    with pytest.raises(ValidationError) as exc:
        training.course_create(
            actor=None, region=world.region_a, name="", code="", disciplines=["pirates"], hours=-1
        )
    assert set(exc.value.message_dict) == {"name", "code", "disciplines", "hours"}


def test_course_code_unique_per_region(world, trained: Training):
    with pytest.raises(ValidationError) as exc:
        training.course_create(actor=None, region=world.region_a, name="Again", code="asim-b")
    assert "code" in exc.value.message_dict
    # another region may use the code
    training.course_create(actor=None, region=world.region_b, name="B basic", code="ASIM-B")


def test_changing_the_refresher_recomputes_expiry_and_audits(trained: Training, em_a):
    record, created = training.attendance_record(
        actor=em_a, session=trained.session, member=trained.alice
    )
    assert created and record.expires_on == date(2028, 3, 1)
    training.course_update(actor=em_a, course=trained.basic, refresher_months=None)
    record.refresh_from_db()
    assert record.expires_on is None
    entry = AuditEntry.objects.filter(object_type="course", action="update").get()
    assert entry.changes["refresher_months"] == [24, None] and entry.actor == em_a


def test_attendance_twice_changes_nothing_and_remove_is_audited(trained: Training, em_a):
    training.attendance_record(actor=em_a, session=trained.session, member=trained.alice)
    _record, created = training.attendance_record(
        actor=em_a, session=trained.session, member=trained.alice
    )
    assert not created and TrainingRecord.objects.count() == 1
    training.attendance_remove(actor=em_a, record=TrainingRecord.objects.get())
    assert not TrainingRecord.objects.exists()
    assert AuditEntry.objects.filter(object_type="trainingrecord", action="delete").exists()


def test_attendance_of_another_regions_member_is_refused(world, trained: Training):
    stranger = MemberFactory(agency=world.police_b)
    with pytest.raises(ValidationError):
        training.attendance_record(actor=None, session=trained.session, member=stranger)


def test_sheet_matches_by_email_phone_and_name_and_is_idempotent(trained: Training, em_a):
    report = training.attendance_import(actor=em_a, session=trained.session, text=SHEET_OK)
    assert report.ok and report.recorded == 3
    assert set(TrainingRecord.objects.values_list("member__full_name", flat=True)) == {
        "Alice Adams",
        "Bob Brown",
        "Carol Cole",
    }
    assert set(TrainingRecord.objects.values_list("source", flat=True)) == {"import"}
    again = training.attendance_import(actor=em_a, session=trained.session, text=SHEET_OK)
    assert again.ok and again.recorded == 0 and again.unchanged == 3
    assert TrainingRecord.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="trainingsession", action="import").count() == 2


def test_sheet_lists_every_bad_row_and_writes_nothing(trained: Training, em_a):
    sheet = (
        "full_name,email,phone,agency,completed_on\n"
        "Alice A.,alice@apd.test,,,\n"  # good
        ",,,,\n"  # blank line: skipped
        "Nobody Known,nobody@x.test,,,\n"  # line 4: unmatched
        "Bad Mail,not-an-email,,,\n"  # line 5: invalid email
        "Alice Again,alice@apd.test,,,\n"  # line 6: repeats line 2
        "Carol Cole,,,XYZ,\n"  # line 7: agency did not attend
        ",,,,2026-13-01\n"  # line 8: no name, bad date
    )
    report = training.attendance_import(actor=em_a, session=trained.session, text=sheet)
    assert not report.ok
    by_line = {error.line: " ".join(error.reasons) for error in report.parsed.errors}
    assert sorted(by_line) == [4, 5, 6, 7, 8]
    assert "no roster member" in by_line[4]
    assert "email:" in by_line[5]
    assert "repeats line 2" in by_line[6]
    assert "did not attend" in by_line[7]
    assert "full_name is empty" in by_line[8] and "completed_on" in by_line[8]
    assert not TrainingRecord.objects.exists()


def test_sheet_file_errors(trained: Training):
    bad = training.attendance_import(actor=None, session=trained.session, text="who,when\nx,y\n")
    assert "missing column(s): full_name" in bad.parsed.file_error
    empty = training.attendance_import(actor=None, session=trained.session, text="")
    assert empty.parsed.file_error == "The file is empty."


def test_ambiguous_name_asks_for_the_agency(world, trained: Training):
    MemberFactory(agency=world.ems_a, full_name="Alice Adams")
    sheet = "full_name\nAlice Adams\n"
    report = training.attendance_import(actor=None, session=trained.session, text=sheet)
    assert "add the agency column" in " ".join(report.parsed.errors[0].reasons)
    sheet = f"full_name,agency\nAlice Adams,{world.police_a.short_code}\n"
    report = training.attendance_import(actor=None, session=trained.session, text=sheet)
    assert report.ok and report.matched == [trained.alice]


def test_coverage_counts_current_records_of_responders(world, trained: Training):
    training.attendance_import(actor=None, session=trained.session, text=SHEET_OK)
    # the official's record does not count: they are not a responder
    training.attendance_record(actor=None, session=trained.session, member=trained.mayor)
    agencies = world.region_a.agencies.all()
    with CaptureQueriesContext(connection) as queries:
        result = coverage(agencies, TODAY)
    assert len(queries) == 4
    assert [c.code for c in result.courses] == ["ASIM-B"]
    rows = {row.agency.name: row for row in result.rows}
    police = rows["A Police"].cells[trained.basic.pk]
    assert (police.trained, police.responders, police.percent) == (2, 2, 100)
    ems = rows["A EMS"].cells[trained.basic.pk]
    assert (ems.trained, ems.responders, ems.percent) == (1, 2, 50)
    assert rows["A 911"].cells[trained.basic.pk] is None  # not a dispatch course
    # expired records do not count
    later = coverage(agencies, date(2028, 3, 2))
    assert {r.agency.name: r.cells[trained.basic.pk] for r in later.rows}["A Police"].trained == 0


def test_instructors_and_refreshers_due(world, trained: Training):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    ttt = training.session_create(
        actor=None, region=world.region_a, course=trained.ttt, date=date(2025, 1, 10)
    )
    training.attendance_record(actor=None, session=ttt, member=trained.bob)
    found = instructors_by_discipline([world.region_a.pk], TODAY)
    assert found == {"Law enforcement": [trained.bob], "EMS": [trained.teacher]}
    agencies = world.region_a.agencies.all()
    assert list(refreshers_due(agencies, date(2028, 1, 15))) == list(
        TrainingRecord.objects.filter(member=trained.alice)
    )
    assert not refreshers_due(agencies, TODAY).exists()
    # a renewal takes the older record off the due list
    renewal = training.session_create(
        actor=None, region=world.region_a, course=trained.basic, date=date(2027, 12, 1)
    )
    training.attendance_record(actor=None, session=renewal, member=trained.alice)
    assert not refreshers_due(agencies, date(2028, 1, 15)).exists()


def test_moving_a_session_moves_its_records_and_audits_people_changes(world, trained: Training):
    training.attendance_record(actor=None, session=trained.session, member=trained.alice)
    training.session_update(
        actor=None,
        session=trained.session,
        date=date(2026, 4, 1),
        agencies=[world.police_a],
    )
    record = TrainingRecord.objects.get()
    assert (record.completed_on, record.expires_on) == (date(2026, 4, 1), date(2028, 4, 1))
    entry = AuditEntry.objects.filter(object_type="trainingsession", action="update").get()
    assert set(entry.changes) == {"date", "agencies"}
    with pytest.raises(ValidationError) as exc:
        training.session_update(actor=None, session=trained.session, course=trained.ttt)
    assert "course" in exc.value.message_dict


def test_a_completion_entered_by_hand(world, trained: Training):
    record = training.record_add(
        actor=None, member=trained.bob, course=trained.ttt, completed_on=date(2025, 5, 5)
    )
    assert (record.source, record.expires_on) == ("manual", date(2028, 5, 5))
    with pytest.raises(ValidationError):
        training.record_add(
            actor=None, member=trained.bob, course=trained.ttt, completed_on=date(2025, 5, 5)
        )
    other = training.course_create(actor=None, region=world.region_b, name="B", code="B1")
    with pytest.raises(ValidationError):
        training.record_add(actor=None, member=trained.bob, course=other, completed_on=TODAY)
