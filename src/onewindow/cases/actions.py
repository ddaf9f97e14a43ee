"""The state-machine actions on a case (cases.transitions declares them): one handler each, run by
`perform` under the case row lock, leaving an event and an audit entry."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.core.errors import Conflict, NotFound, ServiceError
from onewindow.core.precompiled import save_fields
from onewindow.core.text import payload_text
from onewindow.workdays.selectors import add_workdays, workdays_between

from . import intake_modes
from .models import (
    Case,
    CaseMaterial,
    DeliveryMethod,
    MaterialStatus,
    Notice,
    NoticeKind,
    Result,
    SuspendKind,
)
from .recording import announce, append_event, column_values, snapshot
from .results import issue_results
from .rules import check
from .selectors import case_for_action
from .transitions import PREVIOUS, TRANSITIONS, target_state


class _Refusal(Exception):
    """A refused attempt that supervision must see: recorded after the rollback.

    `make_error` builds the error; it is called twice: once in the request's language for the
    answer, once in Chinese for the note stored on the case (records stay Chinese)."""

    def __init__(self, make_error, event_action: str, data: dict):
        self.error = make_error()
        with override("zh-hans"):
            self.note = make_error().message
        self.event_action, self.data = event_action, data


def perform(number: str, action: str, actor: User, payload: dict | None = None) -> Case:
    """Run one state-machine action on a case as `actor`. Returns the updated case."""
    payload = payload or {}
    if action not in TRANSITIONS:
        raise NotFound(_("未知操作：%(action)s") % {"action": action}, fields={"action": _("可用操作：%(actions)s") % {"actions": ', '.join(TRANSITIONS)}})
    try:
        with transaction.atomic():
            return _perform_locked(number, action, actor, payload)
    except _Refusal as refusal:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("site").get(number=number)
            append_event(case, refusal.event_action, actor, from_state=case.state, to_state=case.state,
                          note=refusal.note, data=refusal.data)
            record(actor=actor, action=f"case.{refusal.event_action}", obj_type="case", obj_id=number,
                   after=refusal.data, site_code=case.site.code)
        raise refusal.error from None


def _perform_locked(number, action, actor: User, payload) -> Case:
    t = TRANSITIONS[action]
    # Handlers, rules and the JSON answer read the materials, events and intake records: read once here.
    case = case_for_action(actor, number)
    check(case, action, actor)  # the same rules the case page offers its actions by
    before = snapshot(case)
    columns = column_values(case)
    from_state = case.state
    handler = HANDLERS[action]
    note, data = handler(case, actor, payload)
    case.state = target_state(action, from_state, case.state_before_suspension, outcome=data.get("outcome"))
    if t.target == PREVIOUS:
        case.state_before_suspension = ""
    changed = [name for name, value in column_values(case).items() if value != columns[name]]
    if changed:
        save_fields(case, changed)  # case.save(update_fields=changed), its UPDATE written once per field list
    append_event(case, action, actor, from_state=from_state, to_state=case.state, note=note, data=data)
    announce(case, action, actor)  # before the audit entry: the chain's head stays locked for fewer statements
    record(actor=actor, action=f"case.{action}", obj_type="case", obj_id=case.number, before=before,
           after=snapshot(case), site_code=case.site.code)
    return case


_text = payload_text


def _today() -> datetime.date:
    return timezone.localdate()


def _notice(case, actor: User, payload):
    missing = payload.get("missing")
    if not isinstance(missing, list) or not missing or not all(isinstance(c, str) for c in missing):
        raise ServiceError(_("请列出缺少或需补正的材料"), fields={"missing": _("至少一项材料编码")})
    reasons = payload.get("reasons") or {}
    if not isinstance(reasons, dict):
        raise ServiceError(_("补正理由格式有误"), fields={"reasons": _("应为 {材料编码: 理由}")})
    note = _text(payload, "note", _("说明"), required=False)
    by_code = {m.code: m for m in case.materials.all()}
    unknown = sorted(set(missing) - set(by_code))
    if unknown:
        raise ServiceError(_("未知材料编码：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"missing": _("不属于该办件")})
    first = case.notices.filter(kind=NoticeKind.NOTICE).order_by("seq").first()
    if first is not None:
        first_codes = {i["code"] for i in first.items}
        new = sorted(set(missing) - first_codes)
        if new:
            raise _Refusal(
                lambda: Conflict(
                    _("一次性告知不得新增要求：%(materials)s 未在首次告知书中列出") % {"materials": _("、").join(by_code[c].name for c in new)},
                    code="notice_rule",
                    fields={"missing": new},
                ),
                "notice_refused",
                {"requested": sorted(missing), "new": new, "first_notice": sorted(first_codes)},
            )
    accepted = payload.get("accepted") or []
    if not isinstance(accepted, list) or not all(isinstance(c, str) for c in accepted):
        raise ServiceError(_("核验结果格式有误"), fields={"accepted": _("应为材料编码列表")})
    both = sorted(set(accepted) & set(missing))
    if both or set(accepted) - set(by_code):
        raise ServiceError(_("同一材料不能既合格又要求补正"), fields={"accepted": _("、").join(both) or _("不属于该办件")})
    _mark_checked([by_code[c] for c in accepted], actor)
    items = []
    for code in dict.fromkeys(missing):
        m = by_code[code]
        reason = str(reasons.get(code) or ("缺少该材料" if m.status == MaterialStatus.MISSING else "材料需补正"))
        m.status = MaterialStatus.FAULTY if m.status in (MaterialStatus.PROVIDED, MaterialStatus.LICENCE) else MaterialStatus.MISSING
        m.note = reason[:300]
        m.checked_at, m.checked_by = None, None
        m.save(update_fields=["status", "note", "checked_at", "checked_by"])
        items.append({"code": code, "name": m.name, "reason": reason})
    seq = case.notices.filter(kind=NoticeKind.NOTICE).count() + 1
    Notice.objects.create(case=case, kind=NoticeKind.NOTICE, seq=seq, items=items, note=note,
                          issued_at=timezone.now(), issued_by=actor)
    return note, {"missing": [i["code"] for i in items], "accepted": sorted(set(accepted)), "notice_seq": seq}


def _mark_checked(materials, actor) -> None:
    """The clerk's 合格 on materials handed in (uploaded, delivered or covered by an e-licence)."""
    now = timezone.now()
    ids = [m.pk for m in materials if m.status in (MaterialStatus.PROVIDED, MaterialStatus.LICENCE) and not m.checked_at]
    if ids:
        CaseMaterial.objects.filter(pk__in=ids).update(checked_at=now, checked_by=actor)
        for m in materials:
            if m.pk in ids:
                m.checked_at, m.checked_by = now, actor


def _supplement(case, actor: User, payload):
    codes = payload.get("materials")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise ServiceError(_("请列出补正的材料"), fields={"materials": _("至少一项材料编码")})
    by_code = {m.code: m for m in case.materials.all()}
    unknown = sorted(set(codes) - set(by_code))
    if unknown:
        raise ServiceError(_("未知材料编码：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"materials": _("不属于该办件")})
    for code in codes:
        m = by_code[code]
        m.status = MaterialStatus.PROVIDED
        m.save(update_fields=["status"])
    return "", {"materials": sorted(set(codes))}


def _accept(case, actor: User, payload):
    waived, deferral = intake_modes.accept_waivers(case, payload)  # 告知承诺 and 容缺 materials
    lacking = [m for m in case.materials.all() if m.required and m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)
               and m.code not in waived]
    if lacking:
        raise Conflict(
            _("材料不齐全，请出具一次性告知书：%(materials)s") % {"materials": _("、").join(m.name for m in lacking)},
            code="materials_incomplete",
            fields={"materials": [m.code for m in lacking]},
        )
    _mark_checked(list(case.materials.all()), actor)  # accepting is judging what was handed in 合格
    now = timezone.now()
    today = timezone.localtime(now).date()
    due, provisional = add_workdays(today, case.committed_days)
    case.accepted_at, case.accepted_on = now, today
    case.due_date, case.due_provisional = due, provisional
    case.clerk = actor
    case.window = actor.window or case.window
    return "", {"due_date": due.isoformat(), "provisional": provisional, **intake_modes.after_accept(case, today, deferral)}


def _reject(case, actor: User, payload):
    reason = _text(payload, "reason", _("不予受理理由"))
    seq = case.notices.filter(kind=NoticeKind.REJECTION).count() + 1
    Notice.objects.create(case=case, kind=NoticeKind.REJECTION, seq=seq, items=[], note=reason,
                          issued_at=timezone.now(), issued_by=actor)
    case.result_reason = reason
    return reason, {}


def _review(case, actor: User, payload):
    opinion = _text(payload, "opinion", _("审核意见"))
    return opinion, {}


def _decide(case, actor: User, payload):
    result = payload.get("result")
    if result not in Result.values:
        raise ServiceError(_("请选择办理结果"), fields={"result": _("应为 approve 或 deny")})
    reason = _text(payload, "reason", _("决定理由"), required=(result == Result.DENY))
    now = timezone.now()
    today = timezone.localtime(now).date()
    case.result, case.result_reason = result, reason
    case.concluded_at, case.concluded_on = now, today
    case.actual_workdays = max(0, workdays_between(case.accepted_on, today) - case.suspended_workdays)
    data = {"result": result, "actual_workdays": case.actual_workdays}
    if result == Result.APPROVE:
        data.update(issue_results(case, actor))
    data.update(intake_modes.after_decision(case, today))
    return reason, data


def _suspend(case, actor: User, payload):
    reason = _text(payload, "reason", _("挂起理由"))
    kind = payload.get("kind")
    if kind not in SuspendKind.values:
        raise ServiceError(_("请选择特别程序类型"), fields={"kind": _("应为 %(values)s") % {"values": ', '.join(SuspendKind.values)}})
    case.state_before_suspension = case.state
    case.suspended_on = _today()
    return reason, {"kind": kind}


def _resume(case, actor: User, payload):
    today = _today()
    paused = max(0, workdays_between(case.suspended_on, today))
    case.suspended_workdays += paused
    if case.due_date and paused:
        case.due_date, prov = add_workdays(case.due_date, paused)
        case.due_provisional = case.due_provisional or prov
    data = {"paused_workdays": paused, "suspended_on": case.suspended_on.isoformat(),
            "due_date": case.due_date.isoformat() if case.due_date else None}
    case.suspended_on = None
    return "", data


def _extend(case, actor: User, payload):
    days = payload.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise ServiceError(_("延期天数应为正整数"), fields={"days": _("正整数（工作日）")})
    reason = _text(payload, "reason", _("延期理由"))
    allowance = case.item_version.extension_days
    if case.extended_days + days > allowance:
        raise ServiceError(
            _("超出事项可延长时限：可延长 %(allowance)s 个工作日，已延长 %(extended_days)s 个") % {"allowance": allowance, "extended_days": case.extended_days},
            fields={"days": _("最多还可延长 %(days)s 个工作日") % {"days": max(0, allowance - case.extended_days)}},
        )
    case.extended_days += days
    case.due_date, prov = add_workdays(case.due_date, days)
    case.due_provisional = case.due_provisional or prov
    return reason, {"days": days, "due_date": case.due_date.isoformat()}


def _deliver(case, actor: User, payload):
    method = payload.get("method")
    if method not in DeliveryMethod.values:
        raise ServiceError(_("请选择送达方式"), fields={"method": _("应为 window、mail、electronic 或 post")})
    case.delivered_at, case.delivery_method = timezone.now(), method
    return "", {"method": method, **intake_modes.delivery_details(case, method, payload, case.delivered_at)}


def _withdraw(case, actor: User, payload):
    reason = _text(payload, "reason", _("撤回理由"), required=False)
    return reason, {}


HANDLERS = {
    "notice": _notice,
    "supplement": _supplement,
    "accept": _accept,
    "reject": _reject,
    "review": _review,
    "decide": _decide,
    "suspend": _suspend,
    "resume": _resume,
    "extend": _extend,
    "deliver": _deliver,
    "withdraw": _withdraw,
    **intake_modes.HANDLERS,
}
