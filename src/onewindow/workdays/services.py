"""Writing the working-day calendar: seeding, editing a day, confirming a year.

Every change keeps the running ordinals right and leaves an entry in the audit chain.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.core.errors import ServiceError

from . import schedule
from .models import CalendarDay, CalendarYear, DayKind
from .signals import day_changed

WORKING_KINDS = {DayKind.WORKDAY, DayKind.MAKEUP}
WEEKDAY_KINDS = {DayKind.WORKDAY, DayKind.HOLIDAY}
WEEKEND_KINDS = {DayKind.WEEKEND, DayKind.MAKEUP, DayKind.HOLIDAY}


@transaction.atomic
def seed_calendar(first_year: int | None = None, last_year: int | None = None, *, actor: User | None = None) -> int:
    """Store every day of the years in [first_year, last_year] not stored yet (default: the
    configured CALENDAR_FIRST_YEAR..CALENDAR_LAST_YEAR). Idempotent; returns days inserted.

    Confirmed years come from the chinesecalendar library (see `schedule`), later years are
    provisional. Days already stored, edited or not, are never overwritten.
    """
    conf = settings.ONEWINDOW
    first = conf["CALENDAR_FIRST_YEAR"] if first_year is None else int(first_year)
    last = conf["CALENDAR_LAST_YEAR"] if last_year is None else int(last_year)
    if not (1900 <= first <= last <= 2200):
        raise ServiceError(_("年份范围无效"), fields={"first_year": f"{first}–{last}"})
    inserted = schedule.seed(CalendarYear, CalendarDay, first, last)
    if inserted:
        record(actor=actor, action="workdays.seed", obj_type="workdays.CalendarYear", obj_id=f"{first}-{last}",
               after={"first_year": first, "last_year": last, "days": inserted})
    return inserted


def check_day(day: date, is_workday: bool, kind: str) -> None:
    """Raise ServiceError unless (kind, is_workday) make sense for this date."""
    if kind not in DayKind.values:
        raise ServiceError(_("日期类型无效"), fields={"kind": _("应为 %(values)s 之一") % {"values": _("、").join(DayKind.values)}})
    if bool(is_workday) != (kind in WORKING_KINDS):
        message = _("“工作日”与“调休上班”上班，“周末”与“法定节假日”不上班")
        raise ServiceError(_("是否上班与日期类型不一致：%(message)s") % {"message": message}, fields={"is_workday": message})
    if day.weekday() < 5 and kind not in WEEKDAY_KINDS:
        message = _("周一至周五只能是工作日或法定节假日")
        raise ServiceError(message, fields={"kind": message})
    if day.weekday() >= 5 and kind not in WEEKEND_KINDS:
        message = _("周六、周日只能是周末、调休上班或法定节假日")
        raise ServiceError(message, fields={"kind": message})


def _snapshot(day: CalendarDay) -> dict:
    return {"kind": day.kind, "is_workday": day.is_workday, "name": day.name, "ordinal": day.ordinal}


@transaction.atomic
def set_day(day: date, is_workday: bool, kind: str, name: str = "", actor: User | None = None) -> CalendarDay:
    """Change one day of the calendar (e.g. enter a newly published holiday or make-up day).

    When the day switches between working and not, the ordinal of that day and of every
    later day moves by one, in a single UPDATE ... SET ordinal = ordinal ± 1, and `day_changed`
    is sent so that the open cases' due dates follow (the returned day's `cases_moved` says how many).
    """
    name = (name or "").strip()
    if len(name) > 30:
        raise ServiceError(_("节日名称过长"), fields={"name": _("最多 30 个字")})
    check_day(day, is_workday, kind)
    current = CalendarDay.objects.select_for_update().filter(date=day).first()
    if current is None:
        raise ServiceError(_("日期 %(day)s 不在工作日历范围内") % {"day": day.isoformat()}, fields={"date": _("不在工作日历范围内")})
    before = _snapshot(current)
    delta = int(bool(is_workday)) - int(current.is_workday)
    CalendarDay.objects.filter(date=day).update(kind=kind, is_workday=bool(is_workday), name=name)
    moved = 0
    if delta:
        CalendarDay.objects.filter(date__gte=day).update(ordinal=F("ordinal") + delta)
        # Deadlines follow the calendar, in this same transaction (ADR 0150): the due dates of the
        # open cases whose clock spans the day move by one working day.
        moved = sum(r or 0 for _rcv, r in day_changed.send(sender=CalendarDay, day=day, delta=delta, actor=actor))
    current.refresh_from_db()
    if _snapshot(current) == before:
        return current
    record(actor=actor, action="workdays.set_day", obj_type="workdays.CalendarDay", obj_id=day.isoformat(),
           before=before, after={**_snapshot(current), "cases_moved": moved})
    current.cases_moved = moved
    return current


def _year(year: int) -> CalendarYear:
    obj = CalendarYear.objects.select_for_update().filter(year=year).first()
    if obj is None:
        raise ServiceError(_("%(year)s 年不在工作日历范围内") % {"year": year}, fields={"year": _("不在工作日历范围内")})
    return obj


@transaction.atomic
def confirm_year(year: int, source: str, actor: User | None = None) -> CalendarYear:
    """Mark a year as following the published State Council schedule; its days stop being
    provisional. Enter the year's holidays and make-up days with `set_day` first."""
    obj = _year(year)
    source = (source or "").strip() or schedule.confirmed_source(year)
    if len(source) > 200:
        raise ServiceError(_("依据过长"), fields={"source": _("最多 200 个字")})
    before = {"confirmed": obj.confirmed, "source": obj.source}
    obj.confirmed, obj.source = True, source
    obj.save(update_fields=["confirmed", "source"])
    CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).update(provisional=False)
    record(actor=actor, action="workdays.confirm_year", obj_type="workdays.CalendarYear", obj_id=year,
           before=before, after={"confirmed": True, "source": source})
    return obj


@transaction.atomic
def reopen_year(year: int, actor: User | None = None, source: str | None = None) -> CalendarYear:
    """Undo `confirm_year`: the year's days are provisional again."""
    obj = _year(year)
    before = {"confirmed": obj.confirmed, "source": obj.source}
    obj.confirmed = False
    if source is not None:
        obj.source = source.strip()[:200] or schedule.PROVISIONAL_SOURCE
    obj.save(update_fields=["confirmed", "source"])
    CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).update(provisional=True)
    record(actor=actor, action="workdays.reopen_year", obj_type="workdays.CalendarYear", obj_id=year,
           before=before, after={"confirmed": False, "source": obj.source})
    return obj
