"""Statistics API (/api/v1/stats): supervisors (their region) and administrators."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import Router, Schema

from onewindow.accounts.access import api_role
from onewindow.api.auth import bearer, session
from onewindow.api.schemas import OpenSchema
from onewindow.core.errors import ServiceError
from onewindow.queue.stats import summary_keys as hall_summary

from . import rollup, scoring, selectors
from .access import STATS_ROLES, check_year, parse_period, resolve_region
from .intake_modes import intake_summary

router = Router(auth=[bearer, session])


class SummaryOut(OpenSchema):
    """The contract's figures; the other figures of docs/metrics.md come along undeclared."""

    received: int
    accepted: int
    concluded: int
    completion_rate: float | None
    on_time_rate: float | None
    avg_committed_days: float | None
    avg_actual_days: float | None
    satisfaction_rate: float | None


class DayOut(Schema):
    date: str
    received: int
    concluded: int


class DailyOut(Schema):
    days: list[DayOut]


class RankingRowOut(OpenSchema):
    id: int | str | None
    name: str | None
    volume: int
    concluded: int


class RankingOut(Schema):
    month: str
    group: str
    weights: dict[str, float]
    rows: list[RankingRowOut]


def _args(request):
    d_from, d_to = parse_period(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
    region = resolve_region(request.auth, request.GET.get("region"))
    rollup.ensure_fresh()  # the one write of a statistics read, before the selectors (which never write)
    return d_from, d_to, region


READERS_ONLY = _l("仅电子监察员和中心管理员可查看统计")


@router.get("/summary", response=SummaryOut, summary="统计汇总 (from, to, region, department, item)")
@api_role(*STATS_ROLES, message=READERS_ONLY)
def summary(request):
    """Query: from, to (YYYY-MM-DD, default: this month), region, department (code or id), item (code).

    Returns received, accepted, concluded, completion_rate, on_time_rate, avg_committed_days,
    avg_actual_days, satisfaction_rate and more (docs/metrics.md)."""
    d_from, d_to, region = _args(request)
    scope = {"region": region, "department": request.GET.get("department") or None, "item": request.GET.get("item") or None}
    data = selectors.summary(d_from, d_to, **scope)
    data.update(intake_summary(d_from, d_to, **scope))  # 容缺, 告知承诺, 收受分离 (stats.intake_modes)
    return {**data, **hall_summary(d_from, d_to, region)}  # the hall's queue_* keys (onewindow.queue.stats)


@router.get("/daily", response=DailyOut, summary="每日收件与办结")
@api_role(*STATS_ROLES, message=READERS_ONLY)
def daily(request):
    d_from, d_to, region = _args(request)
    return {"days": selectors.daily(d_from, d_to, region=region, department=request.GET.get("department") or None,
                                    item=request.GET.get("item") or None)}


@router.get("/ranking", response=RankingOut, summary="绩效排名 (month=YYYY-MM, group=department|window|clerk)")
@api_role(*STATS_ROLES, message=READERS_ONLY)
def ranking(request):
    region = resolve_region(request.auth, request.GET.get("region"))
    group = request.GET.get("group") or "department"
    if group not in selectors.GROUPS:
        raise ServiceError(_("分组无效"), fields={"group": _("应为 department、window 或 clerk")})
    raw = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        year, month = (int(p) for p in raw.split("-"))
        selectors.month_bounds(year, month)
    except (ValueError, TypeError):
        raise ServiceError(_("月份格式无效"), fields={"month": _("应为 YYYY-MM")}) from None
    check_year(year, "month")
    rollup.ensure_fresh()
    return {"month": raw, "group": group, "weights": scoring.WEIGHTS,
            "rows": selectors.monthly_ranking(year, month, region=region, group=group)}
