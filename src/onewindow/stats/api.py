"""Statistics API (/api/v1/stats): supervisors (their region) and administrators."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import django_auth

from onewindow.api.auth import bearer
from onewindow.core.errors import ServiceError

from . import selectors
from .access import check_reader, check_year, parse_period, resolve_region
from .intake_modes import intake_summary

router = Router(auth=[bearer, django_auth])


def _args(request):
    check_reader(request.auth)
    d_from, d_to = parse_period(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
    region = resolve_region(request.auth, request.GET.get("region"))
    return d_from, d_to, region


@router.get("/summary", summary="统计汇总 (from, to, region, department, item)")
def summary(request):
    """Query: from, to (YYYY-MM-DD, default: this month), region, department (code or id), item (code).

    Returns received, accepted, concluded, completion_rate, on_time_rate, avg_committed_days,
    avg_actual_days, satisfaction_rate and more (docs/metrics.md)."""
    d_from, d_to, region = _args(request)
    scope = {"region": region, "department": request.GET.get("department") or None, "item": request.GET.get("item") or None}
    out = selectors.summary(d_from, d_to, **scope)
    out.update(intake_summary(d_from, d_to, **scope))  # 容缺, 告知承诺, 收受分离 (stats.intake_modes)
    return out


@router.get("/daily", summary="每日收件与办结")
def daily(request):
    d_from, d_to, region = _args(request)
    return {"days": selectors.daily(d_from, d_to, region=region, department=request.GET.get("department") or None,
                                    item=request.GET.get("item") or None)}


@router.get("/ranking", summary="绩效排名 (month=YYYY-MM, group=department|window|clerk)")
def ranking(request):
    check_reader(request.auth)
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
    return {"month": raw, "group": group, "weights": selectors.WEIGHTS,
            "rows": selectors.monthly_ranking(year, month, region=region, group=group)}
