"""Building the calendar rows: the published schedules and the provisional rule.

Data source for confirmed years: the `chinesecalendar` library (``import chinese_calendar``),
which transcribes each year's 国务院办公厅关于部分节假日安排的通知 (holidays and 调休
make-up workdays); it covers the years up to the last published schedule (2026 in 1.11.0).
Years it does not cover are computed on weekends plus the fixed solar holidays
(元旦 1/1, 劳动节 5/1–5/2, 国庆节 10/1–10/3) and every day of such a year is provisional
until the administrator enters the published schedule and confirms the year.

This module does not import the app's models, so the data migration can call `seed()`
with its historical models and `services.seed_calendar` with the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday

WORKDAY, WEEKEND, HOLIDAY, MAKEUP = "workday", "weekend", "holiday", "makeup"

# Document numbers of the State Council General Office notices, one per year.
DOCUMENTS = {
    2020: "国办发明电〔2019〕16号；国办发明电〔2020〕1号延长春节假期至2月2日",
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}

FIXED_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

PROVISIONAL_SOURCE = "暂定：按周末及元旦、劳动节、国庆节固定假日推算，待国务院办公厅公布当年节假日安排后确认"

_CHINESE = {h.value: h.chinese for h in Holiday}


@dataclass(frozen=True)
class Day:
    date: date
    kind: str
    is_workday: bool
    name: str
    provisional: bool


def confirmed_source(year: int) -> str:
    title = f"国务院办公厅关于{year}年部分节假日安排的通知"
    return f"{title}（{DOCUMENTS[year]}）" if year in DOCUMENTS else title


def library_covers(year: int) -> bool:
    """True when chinesecalendar carries the published schedule of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def _dates(year: int):
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


def year_days(year: int) -> tuple[list[Day], bool, str]:
    """(days, confirmed, source) for one calendar year."""
    if library_covers(year):
        days = []
        for d in _dates(year):
            if d in chinese_calendar.holidays:
                days.append(Day(d, HOLIDAY, False, _CHINESE[chinese_calendar.holidays[d]][:30], False))
            elif d in chinese_calendar.workdays:
                days.append(Day(d, MAKEUP, True, f"{_CHINESE[chinese_calendar.workdays[d]]}调休"[:30], False))
            elif d.weekday() >= 5:
                days.append(Day(d, WEEKEND, False, "", False))
            else:
                days.append(Day(d, WORKDAY, True, "", False))
        return days, True, confirmed_source(year)
    days = []
    for d in _dates(year):
        fixed = FIXED_HOLIDAYS.get((d.month, d.day))
        if fixed:
            days.append(Day(d, HOLIDAY, False, fixed, True))
        elif d.weekday() >= 5:
            days.append(Day(d, WEEKEND, False, "", True))
        else:
            days.append(Day(d, WORKDAY, True, "", True))
    return days, False, PROVISIONAL_SOURCE


def seed(CalendarYear, CalendarDay, first_year: int, last_year: int) -> int:
    """Insert the years in [first_year, last_year] that are not stored yet; renumber ordinals.

    Idempotent: stored years and days (possibly edited by the administrator) are left as
    they are. Returns the number of days inserted. Safe to run concurrently (conflicting
    inserts are ignored and the ordinals are a pure function of the stored days).
    """
    stored_years = set(CalendarYear.objects.values_list("year", flat=True))
    missing = [y for y in range(first_year, last_year + 1) if y not in stored_years]
    if not missing:
        return 0
    stored_dates = set(
        CalendarDay.objects.filter(date__gte=date(missing[0], 1, 1), date__lte=date(missing[-1], 12, 31))
        .values_list("date", flat=True)
    )
    years, rows = [], []
    for y in missing:
        days, confirmed, source = year_days(y)
        years.append(CalendarYear(year=y, confirmed=confirmed, source=source))
        rows.extend(
            CalendarDay(date=d.date, kind=d.kind, is_workday=d.is_workday, name=d.name, ordinal=0,
                        provisional=d.provisional)
            for d in days
            if d.date not in stored_dates
        )
    # Number the new rows as if they follow the stored ones, so that the usual case
    # (a fresh database, or appending later years) needs no second pass of writes.
    running = (
        CalendarDay.objects.filter(date__lt=date(missing[0], 1, 1)).order_by("-date")
        .values_list("ordinal", flat=True).first()
    ) or 0
    for row in rows:
        running += 1 if row.is_workday else 0
        row.ordinal = running
    CalendarYear.objects.bulk_create(years, ignore_conflicts=True)
    CalendarDay.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    renumber(CalendarDay)
    return len(rows)


def renumber(CalendarDay) -> int:
    """Recompute every running ordinal in one pass; writes only rows that changed."""
    running, changed = 0, []
    for pk, is_workday, ordinal in CalendarDay.objects.order_by("date").values_list("date", "is_workday", "ordinal"):
        running += 1 if is_workday else 0
        if ordinal != running:
            changed.append(CalendarDay(date=pk, ordinal=running))
    if changed:
        CalendarDay.objects.bulk_update(changed, ["ordinal"], batch_size=1000)
    return len(changed)
