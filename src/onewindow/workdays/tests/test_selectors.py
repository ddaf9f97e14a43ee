"""Due dates and spans checked against the published schedules.

Every expected answer below was counted by hand on a printed calendar from the State
Council notices (2024: 国办发明电〔2023〕7号, 2025: 国办发明电〔2024〕12号,
2026: 国办发明电〔2025〕7号); the comment beside each case lists the working days counted.
"""

from datetime import date

import pytest

from onewindow.core.errors import ServiceError
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.selectors import add_workdays, is_workday, ordinal_of, workdays_between

pytestmark = pytest.mark.django_db

D = date


# 2026 国庆: 10/1(四)–10/7(三) off; 9/20(日) and 10/10(六) worked; 中秋 9/25(五)–9/27 off.
@pytest.mark.parametrize(
    "start,days,due",
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),   # 10/8
        (D(2026, 9, 30), 2, D(2026, 10, 9)),   # 10/8 10/9
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # ... + Sat 10/10 make-up
        (D(2026, 9, 30), 4, D(2026, 10, 12)),  # Sun 10/11 off, Mon 10/12
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
        (D(2026, 9, 30), 10, D(2026, 10, 20)),  # 8 9 10 12 13 14 15 16 19 20
        (D(2026, 9, 18), 1, D(2026, 9, 20)),   # Sat 9/19 off, Sun 9/20 make-up
        (D(2026, 9, 18), 5, D(2026, 9, 24)),   # 20 21 22 23 24
        (D(2026, 9, 18), 6, D(2026, 9, 28)),   # 9/25–27 中秋 off
        (D(2026, 9, 18), 12, D(2026, 10, 12)),  # 20 21 22 23 24 28 29 30 | 10/8 9 10 12
        (D(2026, 10, 3), 1, D(2026, 10, 8)),   # accepted on a holiday
        (D(2026, 10, 10), 1, D(2026, 10, 12)),  # accepted on the make-up Saturday
    ],
)
def test_due_across_national_day_2026(start, days, due):
    assert add_workdays(start, days) == (due, False)


# 2026 春节: 2/15(日)–2/23(一) off; 2/14(六) and 2/28(六) worked.
@pytest.mark.parametrize(
    "start,days,due",
    [
        (D(2026, 2, 12), 1, D(2026, 2, 13)),
        (D(2026, 2, 12), 2, D(2026, 2, 14)),  # Sat 2/14 make-up
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # 2/15–2/23 off
        (D(2026, 2, 12), 6, D(2026, 2, 27)),  # 13 14 24 25 26 27
        (D(2026, 2, 12), 7, D(2026, 2, 28)),  # Sat 2/28 make-up
        (D(2026, 2, 12), 8, D(2026, 3, 2)),   # Sun 3/1 off
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 20), 1, D(2026, 2, 24)),  # accepted during the holiday
        (D(2026, 2, 27), 1, D(2026, 2, 28)),
    ],
)
def test_due_across_spring_festival_2026(start, days, due):
    assert add_workdays(start, days) == (due, False)


# 2025→2026: 元旦 1/1(四)–1/3(六) off, Sun 1/4 worked.
@pytest.mark.parametrize(
    "start,days,due",
    [
        (D(2025, 12, 30), 1, D(2025, 12, 31)),
        (D(2025, 12, 30), 2, D(2026, 1, 4)),
        (D(2025, 12, 30), 3, D(2026, 1, 5)),
        (D(2025, 12, 30), 8, D(2026, 1, 12)),  # 12/31 1/4 5 6 7 8 9 12
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        (D(2026, 1, 2), 1, D(2026, 1, 4)),
    ],
)
def test_due_across_new_year_2026(start, days, due):
    assert add_workdays(start, days) == (due, False)


# 2024 国庆: 10/1–10/7 off, Sun 9/29 and Sat 10/12 worked.
@pytest.mark.parametrize(
    "days,due",
    [(1, D(2024, 9, 29)), (2, D(2024, 9, 30)), (3, D(2024, 10, 8)), (6, D(2024, 10, 11)),
     (7, D(2024, 10, 12)), (8, D(2024, 10, 14))],
)
def test_due_national_day_2024(days, due):
    assert add_workdays(D(2024, 9, 27), days) == (due, False)


# 2025 春节: 1/28–2/4 off, Sun 1/26 and Sat 2/8 worked.
@pytest.mark.parametrize(
    "days,due",
    [(1, D(2025, 1, 26)), (2, D(2025, 1, 27)), (3, D(2025, 2, 5)), (6, D(2025, 2, 8)), (7, D(2025, 2, 10))],
)
def test_due_spring_festival_2025(days, due):
    assert add_workdays(D(2025, 1, 24), days) == (due, False)


# 2025 国庆+中秋: 10/1–10/8 off, Sun 9/28 and Sat 10/11 worked.
@pytest.mark.parametrize(
    "days,due",
    [(1, D(2025, 9, 28)), (3, D(2025, 9, 30)), (4, D(2025, 10, 9)), (6, D(2025, 10, 11)), (7, D(2025, 10, 13))],
)
def test_due_national_day_2025(days, due):
    assert add_workdays(D(2025, 9, 26), days) == (due, False)


@pytest.mark.parametrize(
    "start,end,n",
    [
        (D(2026, 9, 30), D(2026, 10, 12), 4),
        (D(2026, 9, 18), D(2026, 10, 12), 12),
        (D(2026, 10, 12), D(2026, 9, 18), -12),
        (D(2026, 9, 30), D(2026, 10, 7), 0),
        (D(2026, 10, 1), D(2026, 10, 7), 0),
        (D(2026, 2, 12), D(2026, 3, 2), 8),
        (D(2026, 2, 13), D(2026, 2, 23), 1),  # only the make-up Saturday 2/14
        (D(2025, 12, 31), D(2026, 1, 4), 1),
        (D(2025, 12, 26), D(2026, 1, 5), 5),  # 12/29 30 31 1/4 1/5
        (D(2024, 9, 27), D(2024, 10, 14), 8),
        (D(2025, 1, 24), D(2025, 2, 10), 7),
        (D(2025, 9, 26), D(2025, 10, 13), 7),
        (D(2026, 5, 5), D(2026, 5, 5), 0),
        # whole of 2026: 261 weekdays − 19 weekday holidays + 6 make-up days
        (D(2025, 12, 31), D(2026, 12, 31), 248),
    ],
)
def test_workdays_between(start, end, n):
    assert workdays_between(start, end) == n


def test_is_workday_and_kinds():
    assert is_workday(D(2026, 10, 10)) is True   # make-up Saturday
    assert is_workday(D(2026, 9, 20)) is True    # make-up Sunday
    assert is_workday(D(2026, 10, 8)) is True
    assert is_workday(D(2026, 10, 5)) is False   # Monday in the National Day holiday
    assert is_workday(D(2026, 10, 11)) is False  # ordinary Sunday
    assert is_workday(D(2026, 2, 23)) is False   # Monday, last day of 春节
    assert is_workday(D(2020, 1, 31)) is False   # 2020 春节 extended to 2/2 (国办发明电〔2020〕1号)
    kinds = dict(CalendarDay.objects.filter(date__in=[D(2026, 1, 4), D(2026, 1, 3), D(2026, 1, 10), D(2026, 1, 5)])
                 .values_list("date", "kind"))
    assert kinds == {D(2026, 1, 4): "makeup", D(2026, 1, 3): "holiday", D(2026, 1, 10): "weekend",
                     D(2026, 1, 5): "workday"}
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"


def test_ordinals():
    assert ordinal_of(D(2020, 1, 1)) == 0   # first stored day, a holiday
    assert ordinal_of(D(2020, 1, 2)) == 1
    assert ordinal_of(D(2026, 10, 7)) == ordinal_of(D(2026, 9, 30))
    assert ordinal_of(D(2026, 10, 12)) - ordinal_of(D(2026, 9, 30)) == 4


def test_days_zero_returns_start_itself():
    assert add_workdays(D(2026, 10, 3), 0) == (D(2026, 10, 3), False)
    assert add_workdays(D(2026, 10, 8), 0) == (D(2026, 10, 8), False)
    assert add_workdays(D(2027, 3, 1), 0) == (D(2027, 3, 1), True)


def test_provisional_2027():
    assert CalendarYear.objects.get(year=2026).confirmed is True
    assert "国办发明电〔2025〕7号" in CalendarYear.objects.get(year=2026).source
    assert CalendarYear.objects.get(year=2027).confirmed is False
    assert not CalendarDay.objects.filter(date__year=2027, provisional=False).exists()
    assert not CalendarDay.objects.filter(date__year=2026, provisional=True).exists()
    assert add_workdays(D(2026, 12, 30), 1) == (D(2026, 12, 31), False)
    # 12/31, then 2027-01-01 (Fri, 元旦) and the weekend, then Mon 1/4
    assert add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 4), True)
    # 2027 is computed on the fixed solar holidays only: 5/1–5/2 and 10/1–10/3
    assert add_workdays(D(2027, 4, 30), 1) == (D(2027, 5, 3), True)
    assert add_workdays(D(2027, 9, 30), 1) == (D(2027, 10, 4), True)
    # 261 weekdays in 2027, 1/1 and 10/1 fall on Fridays
    assert workdays_between(D(2026, 12, 31), D(2027, 12, 31)) == 259


def test_query_counts(django_assert_max_num_queries, django_assert_num_queries):
    with django_assert_num_queries(1):
        add_workdays(D(2020, 3, 2), 3000)
    with django_assert_num_queries(1):
        workdays_between(D(2020, 3, 2), D(2035, 3, 2))
    with django_assert_num_queries(1):
        is_workday(D(2030, 1, 1))


def test_out_of_range_and_bad_input():
    with pytest.raises(ServiceError) as exc:
        add_workdays(D(2019, 12, 31), 1)
    assert "start" in exc.value.fields and "超出工作日历范围" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        add_workdays(D(2035, 12, 1), 100)
    assert "days" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        add_workdays(D(2026, 1, 5), -1)
    assert "days" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        add_workdays(D(2026, 1, 5), 10**12)
    assert "days" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        workdays_between(D(2026, 1, 5), D(2036, 1, 1))
    assert list(exc.value.fields) == ["end"]
    with pytest.raises(ServiceError) as exc:
        workdays_between(D(2019, 1, 5), D(2026, 1, 1))
    assert list(exc.value.fields) == ["start"]
    with pytest.raises(ServiceError) as exc:
        is_workday(D(2036, 1, 1))
    assert "date" in exc.value.fields
    with pytest.raises(ServiceError):
        ordinal_of("2026-01-01")


def test_empty_calendar_is_reseeded_on_demand():
    """A flushed database (e.g. after a transactional test) heals on first use."""
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    assert add_workdays(D(2026, 9, 30), 4) == (D(2026, 10, 12), False)
    assert CalendarYear.objects.count() == 16
