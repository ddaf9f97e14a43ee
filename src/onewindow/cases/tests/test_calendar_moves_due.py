"""The calendar moves deadlines (issue 10, item 10): an administrator's edit of a day moves the due
dates of the open cases whose clock spans it, with an event on each and an audit entry."""

import datetime

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.supervision.models import Alert
from onewindow.workdays import services as workdays

D = datetime.date


def _accepted(w, y, m, d):
    with at(y, m, d, 9):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
        return services.perform(case.number, "accept", w.clerk)


@pytest.mark.django_db
def test_a_new_holiday_moves_the_due_dates_that_span_it():
    w = make_world()
    # 2026-09-01 (Tue) + 5 working days = 2026-09-08 (Tue), counted by hand: 2,3,4,7,8
    spanning = _accepted(w, 2026, 9, 1)
    assert spanning.due_date == D(2026, 9, 8)
    later = _accepted(w, 2026, 9, 4)  # 7,8,9,10,11 -> 2026-09-11, accepted before the day too
    after = _accepted(w, 2026, 9, 7)  # accepted on the day itself: its clock starts the day after
    before_due = _accepted(w, 2026, 8, 24)  # due 2026-08-31, before the day: untouched
    concluded = _accepted(w, 2026, 9, 2)
    with at(2026, 9, 2, 15):
        services.perform(concluded.number, "review", w.reviewer, {"opinion": "同意"})
        services.perform(concluded.number, "decide", w.approver, {"result": "approve"})
    admin = w.supervisor.__class__.objects.create_superuser("root", password="x-pass-123", role="admin")
    with at(2026, 9, 1, 12):
        day = workdays.set_day(D(2026, 9, 7), False, "holiday", "临时假日", actor=admin)
    assert day.cases_moved == 2
    due = dict(Case.objects.values_list("number", "due_date"))
    assert due[spanning.number] == D(2026, 9, 9)  # 2,3,4,(7 off),8,9
    assert due[later.number] == D(2026, 9, 14)  # (7 off),8,9,10,11,14
    assert due[after.number] == D(2026, 9, 14)  # accepted on the 7th: its clock starts on the 8th, unchanged
    assert due[before_due.number] == D(2026, 8, 31)
    assert due[concluded.number] == concluded.due_date
    ev = CaseEvent.objects.get(case__number=spanning.number, action="due_moved")
    assert ev.data == {"day": "2026-09-07", "delta": -1, "from": "2026-09-08", "to": "2026-09-09"}
    assert ev.actor == admin
    entry = AuditEntry.objects.filter(action="case.due_moved").get()
    assert {c["case"] for c in entry.after["cases"]} == {spanning.number, later.number}
    # and back: the day a working day again, the dates return
    with at(2026, 9, 1, 13):
        workdays.set_day(D(2026, 9, 7), True, "workday", "", actor=admin)
    due = dict(Case.objects.values_list("number", "due_date"))
    assert due[spanning.number] == D(2026, 9, 8) and due[later.number] == D(2026, 9, 11)


@pytest.mark.django_db
def test_supervision_follows_the_moved_due_date(django_capture_on_commit_callbacks):
    from onewindow.supervision.services import sweep

    w = make_world()
    case = _accepted(w, 2026, 9, 1)  # due 2026-09-08
    with at(2026, 9, 9, 9):
        sweep()
    assert Alert.objects.filter(case=case, level="red", closed_at__isnull=True).exists()  # overdue on the 9th
    admin = w.supervisor.__class__.objects.create_superuser("root", password="x-pass-123", role="admin")
    # the case_changed announcement (run after the commit) re-evaluates the case's warnings
    with at(2026, 9, 9, 10), django_capture_on_commit_callbacks(execute=True):
        workdays.set_day(D(2026, 9, 8), False, "holiday", "临时假日", actor=admin)
        assert Case.objects.get(pk=case.pk).due_date == D(2026, 9, 9)
    assert not Alert.objects.filter(case=case, level="red", closed_at__isnull=True).exists()
