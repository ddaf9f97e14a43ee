"""Writes of 好差评: rate a concluded case once; a 差评 opens a rectification with follow-ups."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.access import has_role
from onewindow.accounts.models import Role, User
from onewindow.audit.services import record
from onewindow.cases.models import DONE_STATES
from onewindow.cases.selectors import cases_visible_to
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.workdays.selectors import add_workdays

from .models import (
    BAD_LEVELS,
    DIMENSIONS,
    Rating,
    RatingChannel,
    Rectification,
    RectificationNote,
    RectificationStatus,
)
from .selectors import rectifications_visible_to

DEFAULT_RECTIFICATION_DAYS = 15
RATABLE_STATES = DONE_STATES  # a decided case can be rated


def rectification_days() -> int:
    return int(getattr(settings, "ONEWINDOW", {}).get("RECTIFICATION_DAYS", DEFAULT_RECTIFICATION_DAYS))


def _level(value, field="level") -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError(_("评价等级应为 1 到 5"), fields={field: _("应为 1..5 的整数")})
    try:
        n = int(value)
    except ValueError:
        raise ServiceError(_("评价等级应为 1 到 5"), fields={field: _("应为 1..5 的整数")}) from None
    if not 1 <= n <= 5:
        raise ServiceError(_("评价等级应为 1 到 5"), fields={field: _("应为 1..5 的整数")})
    return n


def _dimensions(channel: str, given, level: int) -> dict:
    if given in (None, ""):
        given = {}
    if not isinstance(given, dict):
        raise ServiceError(_("分项评分格式有误"), fields={"dimensions": _("应为 {维度: 1..5}")})
    known = DIMENSIONS[channel]
    out = {}
    for key, value in given.items():
        if key not in known:
            raise ServiceError(_("未知评价维度：%(key)s") % {"key": key}, fields={f"dimensions.{key}": _("可用维度：%(known)s") % {"known": ', '.join(known)}})
        out[key] = _level(value, f"dimensions.{key}")
    out.setdefault("overall", level)
    return out


def _snapshot(r: Rating) -> dict:
    return {"case": r.case.number, "level": r.level, "channel": r.channel, "dimensions": r.dimensions}


@transaction.atomic
def rate_case(number: str, actor: User, level, dimensions: dict | None = None, comment: str = "",
              channel: str | None = None) -> Rating:
    """Rate a concluded case once.

    Online: the case's applicant. Window (评价器): the clerk at the receiving site, for the
    applicant who is present. Errors: 404 outside scope, 409 before conclusion or when rated.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("需要登录"))
    if actor.role == Role.APPLICANT:
        expected = RatingChannel.ONLINE
    elif actor.role == Role.CLERK:
        expected = RatingChannel.WINDOW
    else:
        raise Forbidden(_("只有申请人本人或窗口评价器可以评价"))
    channel = channel or expected
    if channel != expected:
        raise ServiceError(_("评价渠道与当前用户不符"), fields={"channel": _("应为 %(expected)s") % {"expected": expected}})
    lvl = _level(level)
    dims = _dimensions(channel, dimensions, lvl)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ServiceError(_("评价内容过长"), fields={"comment": _("至多 2000 字")})
    case = cases_visible_to(actor).select_for_update(of=("self",)).filter(number=number).first()
    if case is None:
        raise NotFound(_("办件 %(number)s 不存在或无权评价") % {"number": number})
    if case.state not in RATABLE_STATES:
        raise Conflict(_("办件办结后方可评价"), fields={"state": case.state})
    if Rating.objects.filter(case=case).exists():
        raise Conflict(_("该办件已评价，不能重复评价"))
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case, level=lvl, channel=channel, dimensions=dims, comment=comment, rated_at=now,
                rated_by=actor, department_id=case.department_id, region_code=case.region_code,
            )
    except IntegrityError:
        raise Conflict(_("该办件已评价，不能重复评价")) from None
    record(actor=actor, action="rating.create", obj_type="case", obj_id=case.number, after=_snapshot(rating))
    if lvl in BAD_LEVELS:
        _open_rectification(rating, actor, timezone.localtime(now).date())
    return rating


def _open_rectification(rating: Rating, actor: User, today) -> Rectification:
    due, provisional = add_workdays(today, rectification_days())
    rect = Rectification.objects.create(rating=rating, department_id=rating.department_id, opened_on=today,
                                        due_date=due, due_provisional=provisional)
    record(actor=actor, action="rectification.open", obj_type="rectification", obj_id=rect.pk,
           after={"case": rating.case.number, "level": rating.level, "due_date": due.isoformat()})
    return rect


def _rect_for(actor: User, rect_id, *, lock=True) -> Rectification:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("需要登录"))
    qs = rectifications_visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    rect = qs.filter(pk=rect_id).first()
    if rect is None:
        raise NotFound(_("整改任务不存在或无权查看"))
    return rect


def _may_write(actor: User, rect: Rectification) -> None:
    """On a rectification the actor sees (its department's, for reviewers and approvers; accounts.access)."""
    if not has_role(actor, Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER, Role.APPROVER):
        raise Forbidden(_("无权处理该整改任务"))


@transaction.atomic
def add_followup(rect_id: int, actor: User, text: str) -> RectificationNote:
    """Record one follow-up (回访/整改进展) on an open rectification."""
    rect = _rect_for(actor, rect_id)
    _may_write(actor, rect)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("跟进内容必填"), fields={"text": _("必填")})
    if rect.status != RectificationStatus.OPEN:
        raise Conflict(_("整改任务已办结"))
    note = RectificationNote.objects.create(rectification=rect, author=actor, text=text, at=timezone.now())
    record(actor=actor, action="rectification.followup", obj_type="rectification", obj_id=rect.pk,
           after={"text": text})
    return note


@transaction.atomic
def close_rectification(rect_id: int, actor: User, result: str, note: str = "") -> Rectification:
    """Close a rectification as rectified or not_rectified, with an account of the result."""
    rect = _rect_for(actor, rect_id)
    _may_write(actor, rect)
    if result not in (RectificationStatus.RECTIFIED, RectificationStatus.NOT_RECTIFIED):
        raise ServiceError(_("整改结果应为 rectified 或 not_rectified"), fields={"result": _("rectified 或 not_rectified")})
    if rect.status != RectificationStatus.OPEN:
        raise Conflict(_("整改任务已办结"))
    before = {"status": rect.status}
    rect.status = result
    rect.result = (note or "").strip()
    rect.closed_at = timezone.now()
    rect.closed_by = actor
    rect.save(update_fields=["status", "result", "closed_at", "closed_by"])
    record(actor=actor, action="rectification.close", obj_type="rectification", obj_id=rect.pk, before=before,
           after={"status": rect.status, "result": rect.result})
    return rect
