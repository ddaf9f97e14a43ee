from datetime import date

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.core.errors import ServiceError
from onewindow.workdays import demo, services
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.selectors import add_workdays, is_workday, ordinal_of, workdays_between

pytestmark = pytest.mark.django_db

D = date


def test_set_day_holiday_shifts_later_due_dates():
    last_before = ordinal_of(D(2035, 12, 31))
    # Suppose Friday 2026-10-09 were declared a holiday.
    services.set_day(D(2026, 10, 9), False, "holiday", "国庆节", actor=None)
    assert is_workday(D(2026, 10, 9)) is False
    assert add_workdays(D(2026, 9, 30), 1) == (D(2026, 10, 8), False)
    assert add_workdays(D(2026, 9, 30), 2) == (D(2026, 10, 10), False)   # was 10/9
    assert add_workdays(D(2026, 9, 30), 4) == (D(2026, 10, 13), False)   # was 10/12
    assert add_workdays(D(2026, 9, 18), 5) == (D(2026, 9, 24), False)    # before the edit: unchanged
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 3
    assert ordinal_of(D(2035, 12, 31)) == last_before - 1
    assert ordinal_of(D(2026, 10, 9)) == ordinal_of(D(2026, 10, 8))
    entry = AuditEntry.objects.get(action="workdays.set_day")
    assert entry.object_id == "2026-10-09"
    assert entry.before["kind"] == "workday" and entry.after["kind"] == "holiday"


def test_set_day_makeup_then_back():
    # 2027 is provisional: enter a make-up Saturday 2027-02-06 before Monday 2/8.
    assert add_workdays(D(2027, 2, 5), 1) == (D(2027, 2, 8), True)
    services.set_day(D(2027, 2, 6), True, "makeup", "春节调休", actor=None)
    assert add_workdays(D(2027, 2, 5), 1) == (D(2027, 2, 6), True)
    assert add_workdays(D(2027, 2, 5), 2) == (D(2027, 2, 8), True)
    assert workdays_between(D(2027, 2, 5), D(2027, 2, 8)) == 2
    services.set_day(D(2027, 2, 6), False, "weekend", "", actor=None)
    assert add_workdays(D(2027, 2, 5), 1) == (D(2027, 2, 8), True)
    assert AuditEntry.objects.filter(action="workdays.set_day").count() == 2


def test_set_day_same_value_changes_nothing():
    before = ordinal_of(D(2030, 6, 3))
    services.set_day(D(2026, 10, 10), True, "makeup", "国庆节调休", actor=None)
    assert ordinal_of(D(2030, 6, 3)) == before
    assert not AuditEntry.objects.filter(action="workdays.set_day").exists()


@pytest.mark.parametrize(
    "day,is_wd,kind,field",
    [
        (D(2026, 10, 9), True, "makeup", "kind"),      # a Friday cannot be a make-up day
        (D(2026, 10, 11), False, "workday", "is_workday"),
        (D(2026, 10, 11), True, "workday", "kind"),    # a Sunday cannot be an ordinary workday
        (D(2026, 10, 9), False, "weekend", "kind"),
        (D(2026, 10, 9), True, "party", "kind"),
        (D(2036, 1, 1), False, "holiday", "date"),
    ],
)
def test_set_day_rejects(day, is_wd, kind, field):
    before = ordinal_of(D(2035, 12, 31))
    with pytest.raises(ServiceError) as exc:
        services.set_day(day, is_wd, kind, "", actor=None)
    assert field in exc.value.fields
    assert ordinal_of(D(2035, 12, 31)) == before


def test_confirm_and_reopen_year():
    services.confirm_year(2027, "国务院办公厅关于2027年部分节假日安排的通知", actor=None)
    assert CalendarYear.objects.get(year=2027).confirmed is True
    assert not CalendarDay.objects.filter(date__year=2027, provisional=True).exists()
    assert add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 4), False)
    assert add_workdays(D(2027, 12, 30), 2) == (D(2028, 1, 3), True)  # 2028 still provisional
    services.reopen_year(2027, actor=None)
    assert add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 4), True)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "workdays.confirm_year", "workdays.reopen_year"]
    with pytest.raises(ServiceError) as exc:
        services.confirm_year(2040, "x", actor=None)
    assert "year" in exc.value.fields


def test_seed_is_idempotent_and_demo_load():
    count = CalendarDay.objects.count()
    # 2020..2035: 16 years, four of them leap years (2020, 2024, 2028, 2032)
    assert count == 16 * 365 + 4
    assert services.seed_calendar() == 0
    demo.load()
    demo.load()
    assert CalendarDay.objects.count() == count
    assert not AuditEntry.objects.exists()


def test_seed_keeps_edits_and_extends_range():
    services.set_day(D(2026, 10, 9), False, "holiday", "国庆节", actor=None)
    # Appending 2036 (a leap year starting on Tuesday 1/1, 元旦) continues the ordinals.
    assert services.seed_calendar(2036, 2036) == 366
    assert workdays_between(D(2035, 12, 31), D(2036, 1, 2)) == 1
    assert add_workdays(D(2035, 12, 31), 1) == (D(2036, 1, 2), True)
    assert is_workday(D(2026, 10, 9)) is False  # the edit survived
    # Prepending 2019 (confirmed, 250 working days) renumbers every later day.
    assert ordinal_of(D(2020, 1, 2)) == 1
    assert services.seed_calendar(2019, 2019) == 365
    assert ordinal_of(D(2019, 1, 1)) == 0     # 元旦
    assert ordinal_of(D(2020, 1, 2)) == 251
    assert add_workdays(D(2026, 9, 30), 2) == (D(2026, 10, 10), False)
    assert CalendarYear.objects.get(year=2019).confirmed is True
    assert add_workdays(D(2019, 9, 27), 1) == (D(2019, 9, 29), False)  # Sun 9/29/2019 make-up
