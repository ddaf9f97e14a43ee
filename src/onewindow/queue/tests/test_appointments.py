"""Slots across the 2026 National Day holiday, booking limits, cancel, check-in, the no-show block, reminders.

The 2026 schedule (国办发明电〔2025〕7号, checked against chinesecalendar 1.11): 中秋 Sep 25–27 off,
国庆 Oct 1–7 off, make-up working days Sunday Sep 20 and Saturday Oct 10; Oct 8 is a working day.
Expected dates below are written by hand from that schedule.
"""

import datetime

import pytest

from onewindow.accounts.models import Role, User
from onewindow.core.errors import Conflict, Forbidden, ServiceError
from onewindow.portal.models import Outbox
from onewindow.queue import appointments, services
from onewindow.queue.models import Appointment
from onewindow.queue.tests.factories import at, make_hall

pytestmark = pytest.mark.django_db

# site hours 9:00-12:00 and 13:30-17:30 in 30-minute slots
DAY_SLOTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
             "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def starts(day):
    return [s["start"] for s in appointments.slots("SZ-CENTRE", "general", day)["slots"]]


def test_slots_across_national_day_2026():
    make_hall()
    expected = {
        "2026-09-19": [],  # Saturday
        "2026-09-20": DAY_SLOTS,  # Sunday, make-up working day
        "2026-09-25": [],  # 中秋
        "2026-09-30": DAY_SLOTS,
        "2026-10-01": [], "2026-10-04": [], "2026-10-07": [],
        "2026-10-08": DAY_SLOTS,
        "2026-10-10": DAY_SLOTS,  # Saturday, make-up working day
        "2026-10-11": [],  # Sunday
    }
    with at(2026, 9, 15, 9):
        got = {d: starts(d) for d in expected}
    assert got == expected
    first = appointments.slots("SZ-CENTRE", "general", "2026-10-08")["slots"][0]
    assert first == {"start": "09:00", "end": "09:30", "capacity": 2, "left": 2}


def test_horizon_counts_working_days_over_the_holiday():
    w = make_hall()
    # from Tue 2026-09-29: working days 09-30 (1), 10-08 (2), 10-09 (3), 10-10 (4), 10-12 (5), 10-13 (6)
    with at(2026, 9, 29, 10):
        a = services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-10-12", start="09:00")
        assert a.state == "booked" and a.end == datetime.time(9, 30)
        with pytest.raises(ServiceError) as exc:
            services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-10-13", start="09:00")
        assert list(exc.value.fields) == ["date"]
        with pytest.raises(ServiceError) as exc:
            services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-10-03", start="09:00")
        assert list(exc.value.fields) == ["date"] and exc.value.status == 400
        with pytest.raises(ServiceError) as exc:  # 11:30 is 1.5 h away, the site asks 2
            services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-09-29", start="11:30")
        assert list(exc.value.fields) == ["start"]
        ok = services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-09-29", start="13:30")
        assert ok.state == "booked"
        with pytest.raises(ServiceError) as exc:
            services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:10")
        assert list(exc.value.fields) == ["start"]


def _applicant(n, id_number):
    return User.objects.create_user(f"p{n}", password="x", role=Role.APPLICANT, display_name=f"申请人{n}",
                                    id_number=id_number, phone=f"1390000000{n}")


def test_one_per_person_per_day_capacity_and_real_name():
    w = make_hall()
    third = _applicant(3, "110101195001010017")
    with at(2026, 9, 29, 10):
        services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:00")
        with pytest.raises(Conflict) as exc:
            services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="10:00")
        assert exc.value.code == "appointment_exists"
        services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:00")
        with pytest.raises(Conflict) as exc:
            services.book(third, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:00")
        assert exc.value.code == "slot_full"
        assert appointments.slots("SZ-CENTRE", "general", "2026-09-30")["slots"][0]["left"] == 0
        anonymous_name = User.objects.create_user("noname", password="x", role=Role.APPLICANT)
        with pytest.raises(Forbidden):
            services.book(anonymous_name, site="SZ-CENTRE", queue="general", date="2026-09-30", start="10:00")
        with pytest.raises(Forbidden):
            services.book(w.clerk, site="SZ-CENTRE", queue="general", date="2026-09-30", start="10:00")


def test_cancel_until_min_hours_before():
    w = make_hall()
    with at(2026, 9, 29, 10):
        a = services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:00")
        b = services.book(w.citizen2, site="SZ-CENTRE", queue="general", date="2026-09-29", start="13:30")
        with pytest.raises(Exception) as exc:
            services.cancel(w.citizen2, a.pk)  # not hers
        assert exc.value.status == 404
    with at(2026, 9, 29, 11, 31):  # 1 h 59 min before 13:30
        with pytest.raises(Conflict):
            services.cancel(w.citizen2, b.pk)
        assert services.cancel(w.citizen, a.pk).state == "cancelled"
        with pytest.raises(Conflict):
            services.cancel(w.citizen, a.pk)
        # the day is free again for a new booking
        services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="10:00")


def test_check_in_gives_a_priority_ticket_in_its_slot():
    w = make_hall()
    with at(2026, 9, 29, 10):
        a = services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:30")
    with at(2026, 9, 30, 8, 30):
        with pytest.raises(Conflict):  # more than 30 minutes early
            services.check_in(site="SZ-CENTRE", code=a.code)
        plain = services.issue(site="SZ-CENTRE", queue="general")
    with at(2026, 9, 30, 9, 5):
        t = services.check_in(site="SZ-CENTRE", code=a.code.lower())
        assert (t.priority, t.waiting_before) == ("appointment", 0)
        with pytest.raises(Conflict):
            services.check_in(site="SZ-CENTRE", code=a.code)
        assert services.call_next(w.window.pk, w.clerk).pk == t.pk
    a.refresh_from_db()
    assert a.state == "checked_in" and plain.state == "waiting"


def test_three_no_shows_in_30_days_block_for_30_days():
    w = make_hall()
    for day in ("2026-03-02", "2026-03-10", "2026-03-20"):
        with at(2026, 3, 1, 9):
            Appointment.objects.create(code=f"X{day[-2:]}", site=w.centre, queue=w.queue_a, date=day,
                                       start=datetime.time(9), end=datetime.time(9, 30), user=w.citizen,
                                       name="张三", id_number=w.citizen.id_number, created_at=at_now(),
                                       changed_at=at_now())
    with at(2026, 3, 21, 9):
        assert appointments.mark_no_shows() == 3
        with pytest.raises(Forbidden) as exc:
            services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-03-23", start="09:00")
        assert exc.value.fields == {"blocked_until": "2026-04-19"}  # the third no-show + 30 days
    with at(2026, 4, 19, 9):
        services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-04-20", start="09:00")


def at_now():
    from django.utils import timezone

    return timezone.now()


def test_reminder_the_day_before_lists_materials():
    w = make_hall()
    with at(2026, 9, 28, 10):
        services.book(w.citizen, site="SZ-CENTRE", queue="general", date="2026-09-30", start="09:00",
                      item="SCJG-XK-0001")
    w.citizen.phone = "13800000009"
    w.citizen.save()
    Appointment.objects.update(phone="13800000009")
    with at(2026, 9, 28, 18):
        assert services.send_reminders() == 0  # two days before
    with at(2026, 9, 29, 18):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0  # once
    body = Outbox.objects.get(kind="appointment.reminder").body
    assert "2026-09-30 09:00-09:30" in body
    assert "食品经营许可申请书、申请人身份证明、经营场所平面图、其他材料" in body
