"""Reading the working-day calendar. Other apps call these four functions.

Every answer comes straight from the database (no cross-request cache), so an
administrator's edit is seen at once by every process. Each call costs one or two
indexed queries whatever the number of days.

    add_workdays(start, days) -> (due, provisional)   the Nth working day after `start`
    workdays_between(start, end) -> int              working days in (start, end]
    is_workday(d) -> bool
    ordinal_of(d) -> int                             running working-day number of `d`
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.db import connections, router
from django.db.models import IntegerField, Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError

from . import schedule
from .models import CalendarDay, CalendarYear

log = logging.getLogger(__name__)

# Far beyond any statutory time limit; keeps absurd inputs away from SQL integer overflow.
MAX_DAYS = 20000


def _as_date(value, field: str) -> date:
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, date):
        return value
    raise ServiceError(_("日期格式无效"), fields={field: _("应为日期（YYYY-MM-DD）")})


def _reseed_if_empty() -> bool:
    """Restore the default calendar when the table is empty (e.g. a flushed test database).

    Only ever called after a lookup missed, so it costs nothing in the normal case.
    """
    if CalendarDay.objects.exists():
        return False
    log.warning("working-day calendar is empty; seeding the default years")
    conf = settings.ONEWINDOW
    schedule.seed(CalendarYear, CalendarDay, conf["CALENDAR_FIRST_YEAR"], conf["CALENDAR_LAST_YEAR"])
    return True


def _out_of_range(d: date, field: str) -> ServiceError:
    bounds = CalendarDay.objects.aggregate(lo=Min("date"), hi=Max("date"))
    if bounds["lo"] is None:
        message = _("工作日历尚未初始化")
    else:
        message = _("日期 %(date)s 超出工作日历范围（%(lo)s 至 %(hi)s）") % {"date": d.isoformat(), "lo": bounds['lo'].isoformat(), "hi": bounds['hi'].isoformat()}
    return ServiceError(message, fields={field: message})


def _row(d: date, field: str, *columns: str):
    qs = CalendarDay.objects.filter(date=d).values_list(*columns)
    row = qs.first()
    if row is None and _reseed_if_empty():
        row = qs.first()
    if row is None:
        raise _out_of_range(d, field)
    return row


def add_workdays(start: date, days: int) -> tuple[date, bool]:
    """The `days`-th working day after `start` (start itself is not counted).

    `days=0` returns `start` itself. The second value is True when any day consulted, from
    `start` to the due date, lies in a year whose schedule is not yet confirmed.
    One query: the working day whose ordinal is the ordinal of `start` plus `days`.
    """
    start = _as_date(start, "start")
    if isinstance(days, bool) or not isinstance(days, int):
        raise ServiceError(_("工作日数应为整数"), fields={"days": _("应为非负整数")})
    if days < 0:
        raise ServiceError(_("工作日数不能为负数"), fields={"days": _("不能为负数")})
    if days == 0:
        return start, _row(start, "start", "provisional")[0]
    if days > MAX_DAYS:
        _row(start, "start", "ordinal")  # a start outside the calendar is the clearer error
        raise _beyond(start, days)
    found = _due_row(start, days)
    if found is None:  # the start or the due date lies outside the calendar (or it was empty): say which
        _row(start, "start", "ordinal")
        found = _due_row(start, days)
        if found is None:
            raise _beyond(start, days)
    due, any_provisional = found
    return due, bool(any_provisional)


def _due_sql(conn) -> str:
    t, q = conn.ops.quote_name(CalendarDay._meta.db_table), conn.ops.quote_name
    date_, ordinal, workday, provisional = q("date"), q("ordinal"), q("is_workday"), q("provisional")
    return (f"SELECT d.{date_}, EXISTS(SELECT 1 FROM {t} p WHERE p.{date_} >= %s AND p.{date_} <= d.{date_} "
            f"AND p.{provisional}) FROM {t} d WHERE d.{ordinal} = (SELECT s.{ordinal} FROM {t} s WHERE s.{date_} = %s) "
            f"+ %s AND d.{workday} ORDER BY d.{date_} LIMIT 1")


_DUE_SQL: dict[str, str] = {}


def _due_row(start: date, days: int):
    """(due date, any provisional day from `start` to it) or None: one statement, written once per database
    (the ORM would build the same SELECT with its EXISTS anew on every acceptance)."""
    conn = connections[router.db_for_read(CalendarDay)]
    sql = _DUE_SQL.get(conn.alias) or _DUE_SQL.setdefault(conn.alias, _due_sql(conn))
    value = conn.ops.adapt_datefield_value(start)
    with conn.cursor() as cur:
        cur.execute(sql, [value, value, days])
        row = cur.fetchone()
    if row is None:
        return None
    due = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
    return due, bool(row[1])


def _beyond(start: date, days: int) -> ServiceError:
    hi = CalendarDay.objects.aggregate(hi=Max("date"))["hi"]
    message = _("自 %(start)s 起第 %(days)s 个工作日超出工作日历范围（至 %(hi)s）") % {"start": start.isoformat(), "days": days, "hi": hi}
    return ServiceError(message, fields={"days": message})


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end < start. One query."""
    start, end = _as_date(start, "start"), _as_date(end, "end")
    qs = CalendarDay.objects.filter(date__in=[start, end]).values_list("date", "ordinal")
    ordinals = dict(qs)
    if len(ordinals) < len({start, end}) and _reseed_if_empty():
        ordinals = dict(qs)
    for d, field in ((start, "start"), (end, "end")):
        if d not in ordinals:
            raise _out_of_range(d, field)
    return ordinals[end] - ordinals[start]


def is_workday(d: date) -> bool:
    """True for a weekday that is not a public holiday, or a make-up (调休) workday."""
    return _row(_as_date(d, "date"), "date", "is_workday")[0]


def ordinal_of(d: date) -> int:
    """Working days from the first stored day up to and including `d`."""
    return _row(_as_date(d, "date"), "date", "ordinal")[0]


def ordinal_at(field: str) -> Subquery:
    """SQL expression: the working-day ordinal of the date in column `field` of the outer query.

    `ordinal_at("concluded_on") - ordinal_at("accepted_on")` is the working days between them, in SQL.
    """
    return Subquery(CalendarDay.objects.filter(date=OuterRef(field)).values("ordinal")[:1], output_field=IntegerField())
