"""Writes of the 中介服务清单 on a case: the provider the applicant engaged, the report's date, the rating."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.cases.recording import append_event
from onewindow.cases.selectors import get_case_for
from onewindow.core.errors import Forbidden, NotFound, ServiceError

from .models import Engagement, IntermediaryService, Provider


def _date(value, field) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(_("日期格式有误"), fields={field: _("应为 YYYY-MM-DD")}) from None


@transaction.atomic
def record_engagement(number: str, actor, *, service: str, provider: int, report_date=None) -> Engagement:
    """The applicant (or the window / agent for them) records which provider did a service the item needs."""
    if actor.role not in (Role.APPLICANT, Role.CLERK, Role.AGENT):
        raise Forbidden(_("当前角色不能登记中介服务"))
    case = get_case_for(actor, number, for_update=True)
    svc = IntermediaryService.objects.filter(code=service, items=case.item_id).first()
    if svc is None:
        raise ServiceError(_("该事项不需要此中介服务"), fields={"service": _("不是该事项所需的中介服务")})
    prov = Provider.objects.filter(pk=provider, services=svc, active=True).first() if isinstance(provider, int) else None
    if prov is None:
        raise ServiceError(_("中介机构不在清单内"), fields={"provider": _("应为提供该服务的在册机构")})
    day = _date(report_date, "report_date")
    if day and day > timezone.localdate():
        raise ServiceError(_("报告日期不能晚于今天"), fields={"report_date": _("不能是将来的日期")})
    eng, _created = Engagement.objects.update_or_create(
        case=case, service=svc, defaults={"provider": prov, "report_date": day, "recorded_by": actor})
    data = {"service": svc.code, "provider": prov.name, "report_date": day.isoformat() if day else None}
    append_event(case, "intermediary", actor, from_state=case.state, to_state=case.state, data=data)
    record(actor=actor, action="case.intermediary", obj_type="case", obj_id=case.number, after=data,
           site_code=case.site.code)
    return eng


@transaction.atomic
def rate_provider(number: str, actor, *, service: str, level, comment: str = "") -> Engagement:
    """The applicant rates (1–5) the provider of one service of their case."""
    if actor.role != Role.APPLICANT:
        raise Forbidden(_("只有申请人可以评价中介机构"))
    case = get_case_for(actor, number, for_update=True)
    eng = Engagement.objects.select_related("provider").filter(case=case, service__code=service).first()
    if eng is None:
        raise NotFound(_("该办件未登记此中介服务"), fields={"service": _("未登记")})
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise ServiceError(_("评价等级应为 1 到 5"), fields={"level": _("1 到 5 的整数")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ServiceError(_("评价内容过长"), fields={"comment": _("不超过 500 字")})
    eng.rating, eng.rating_comment, eng.rated_at = level, comment, timezone.now()
    eng.save(update_fields=["rating", "rating_comment", "rated_at"])
    record(actor=actor, action="intermediary.rate", obj_type="engagement", obj_id=eng.pk,
           after={"case": case.number, "provider": eng.provider.name, "level": level}, site_code=case.site.code)
    return eng
