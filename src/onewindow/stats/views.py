"""The statistics dashboard (/stats/) and its Excel export (/stats/export.xlsx)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from onewindow.catalog.models import Department
from onewindow.core.errors import Forbidden, ServiceError
from onewindow.queue.stats import summary_for_region as hall_summary

from . import rollup, selectors
from .access import check_reader, parse_period, resolve_region
from .export import build, with_person_names


def _params(request):
    try:
        check_reader(request.user)
        d_from, d_to = parse_period(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())
        region = resolve_region(request.user, request.GET.get("region"))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    rollup.ensure_fresh()  # the one write of a statistics read, before the selectors (which never write)
    return d_from, d_to, region, (request.GET.get("department") or None), (request.GET.get("item") or None)


def _error(request, exc: ServiceError):
    """A bad filter: the page again with the message and each field's problem (400)."""
    return render(request, "stats/error.html", {"message": exc.message, "fields": exc.fields}, status=400)


@login_required
def dashboard(request):
    try:
        d_from, d_to, region, department, item = _params(request)
    except ServiceError as exc:
        return _error(request, exc)
    figures = selectors.summary(d_from, d_to, region=region, department=department, item=item)
    ranking = selectors.performance(d_from, d_to, group="department", region=region)
    context = {
        "d_from": d_from, "d_to": d_to, "region": region or "", "department": department or "", "item": item or "",
        "s": figures,
        "days": selectors.daily(d_from, d_to, region=region, department=department, item=item),
        "departments": selectors.by_department(d_from, d_to, region=region, department=department, item=item),
        "ranking": ranking,
        "windows": selectors.performance(d_from, d_to, group="window", region=region),
        "clerks": with_person_names(selectors.performance(d_from, d_to, group="clerk", region=region)),
        "department_choices": Department.objects.order_by("order", "code").values_list("code", "name"),
        "query": request.GET.urlencode(),
        "hall": hall_summary(d_from, d_to, region),  # the hall's figures (onewindow.queue.stats)
        "chart_labels": {"daily": _("每日收件与办结"), "departments": _("各部门办件量"),
                         "received": _("收件"), "concluded": _("办结")},
    }
    return render(request, "stats/dashboard.html", context)


SUMMARY_ROWS = [
    ("received", _l("收件量")), ("accepted", _l("受理量")), ("concluded", _l("办结量")), ("completion_rate", _l("办结率")),
    ("on_time_rate", _l("按时办结率")), ("avg_committed_days", _l("平均承诺时限（工作日）")),
    ("avg_statutory_days", _l("平均法定时限（工作日）")), ("avg_actual_days", _l("平均实际用时（工作日）")),
    ("speedup_rate", _l("提速率")), ("instant_share", _l("即办件占比")), ("online_share", _l("网办率")),
    ("satisfaction_rate", _l("满意度")), ("stationed_rate", _l("事项进驻率")),
    ("stationed_department_rate", _l("部门进驻率")), ("window_authorised_rate", _l("窗口审批授权率")),
]
RANK_COLUMNS = [
    ("rank", _l("名次")), ("name", _l("名称")), ("volume", _l("受理量")), ("concluded", _l("办结量")), ("on_time_rate", _l("按时办结率")),
    ("avg_actual_days", _l("平均实际用时")), ("speed_score", _l("提速得分")), ("satisfaction_rate", _l("满意度")),
    ("alerts", _l("预警数")), ("alert_free_rate", _l("无预警率")), ("rectification_rate", _l("整改率")), ("score", _l("绩效得分")),
    ("last", _l("末位")),
]


@login_required
def export(request):
    try:
        d_from, d_to, region, department, item = _params(request)
    except ServiceError as exc:
        return _error(request, exc)
    figures = selectors.summary(d_from, d_to, region=region, department=department, item=item)
    rankings = {
        _("部门绩效排名"): selectors.performance(d_from, d_to, group="department", region=region),
        _("窗口绩效排名"): selectors.performance(d_from, d_to, group="window", region=region),
        _("人员绩效排名"): with_person_names(selectors.performance(d_from, d_to, group="clerk", region=region)),
    }
    content = build(d_from, d_to, region, figures, SUMMARY_ROWS, RANK_COLUMNS, rankings,
                    hall=hall_summary(d_from, d_to, region))  # the hall's sheet (onewindow.queue.stats)
    resp = HttpResponse(content,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="stats-{d_from:%Y%m%d}-{d_to:%Y%m%d}.xlsx"'
    return resp
