"""Supervision API (/api/v1/supervision): open alerts for the supervisor's region."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import Router, Schema

from onewindow.accounts.access import api_role, can_supervise, request_user
from onewindow.api.auth import bearer, session
from onewindow.core.errors import ServiceError
from onewindow.core.pagination import paginate

from . import selectors
from .models import Level

router = Router(auth=[bearer, session])

PAGE_SIZE = 20
API_LEVELS = (Level.YELLOW, Level.RED, Level.ANOMALY)


class AlertOut(Schema):
    case: str
    level: str
    rule: str
    since: str


class AlertPage(Schema):
    count: int
    page: int
    alerts: list[AlertOut]


@router.get("/alerts", response=AlertPage, summary="Open alerts in the supervisor's region")
@api_role(check=can_supervise, message=_l("仅电子监察员可以访问"))
def alerts(request, level: str | None = None, page: str | None = None):
    user = request_user(request)
    if level not in (None, "") and level not in API_LEVELS:
        raise ServiceError(_("预警级别有误"), fields={"level": _("应为 yellow、red 或 anomaly")})
    result = paginate(selectors.open_alerts(user, level or None), page, PAGE_SIZE)
    return {
        "count": result.count,
        "page": result.page,
        "alerts": [
            {"case": a.case.number, "level": a.level, "rule": a.rule, "since": timezone.localtime(a.since).isoformat()}
            for a in result.rows
        ],
    }
