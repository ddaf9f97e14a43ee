"""Public working-day endpoints, mounted at /api/v1/workdays."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _
from ninja import Router, Schema

from onewindow.core.errors import ServiceError

from . import selectors

router = Router()

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"[+-]?\d+")


class DueOut(Schema):
    due: date
    provisional: bool


class BetweenOut(Schema):
    workdays: int


def _date(value: str, field: str) -> date:
    value = (value or "").strip()
    if not _DATE.fullmatch(value):
        raise ServiceError(_("日期格式有误，应为 YYYY-MM-DD"), fields={field: _("应为 YYYY-MM-DD 格式的日期")})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(_("日期 %(value)s 不存在") % {"value": value}, fields={field: _("不是有效的日期")}) from None


def _days(value: str) -> int:
    value = (value or "").strip()
    if not _INT.fullmatch(value):
        raise ServiceError(_("工作日数应为整数"), fields={"days": _("应为非负整数")})
    if len(value) > 12:
        raise ServiceError(_("工作日数过大，超出工作日历范围"), fields={"days": _("数值过大")})
    days = int(value)
    if days < 0:
        raise ServiceError(_("工作日数不能为负数"), fields={"days": _("不能为负数")})
    return days


@router.get("/due", response=DueOut, auth=None, summary="第 N 个工作日（受理次日起算）")
def due(request, start: str, days: str):
    """The `days`-th working day after `start`; `provisional` when the answer rests on a year
    whose holiday schedule is not yet published."""
    d, provisional = selectors.add_workdays(_date(start, "start"), _days(days))
    return {"due": d, "provisional": provisional}


@router.get("/between", response=BetweenOut, auth=None, summary="两日之间的工作日数")
def between(request, start: str, end: str):
    """Working days in (start, end]; negative when end is before start."""
    return {"workdays": selectors.workdays_between(_date(start, "start"), _date(end, "end"))}
