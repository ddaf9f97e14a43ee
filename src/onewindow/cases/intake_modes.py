"""The national intake modes on a case: 容缺受理 (accept with non-key materials missing against a signed
commitment), 告知承诺制 (proofs replaced by the applicant's commitment, verified after the decision) and
寄递送达 (results by post, with waybill and 寄出 / 签收 times). Their records live in onewindow.intake.

Filing (cases.filing) and the actions (cases.actions) call the hooks here; the four actions this
module adds (`makeup`, `terminate`, `verify`, `delivery`) are declared in cases.transitions like every
other. Each hook validates everything before it writes, so a refused request leaves nothing behind.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict, ServiceError
from onewindow.core.text import payload_text
from onewindow.intake.models import (
    BrokenCommitment,
    Commitment,
    Deferral,
    IntakePolicy,
    Postal,
    PostalState,
    VerificationState,
)
from onewindow.regions.selectors import region_prefix
from onewindow.workdays.selectors import add_workdays

from .models import DeliveryMethod, MaterialStatus, Result

LACKING = (MaterialStatus.MISSING, MaterialStatus.FAULTY)
POST_FIELDS = ("address", "courier", "waybill")


def _today() -> datetime.date:
    return timezone.localdate()


_text = payload_text


def _codes(payload, key) -> list[str]:
    value = payload.get(key)
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ServiceError(_("材料列表格式有误"), fields={key: _("应为材料编码列表")})
    return list(dict.fromkeys(value))


# ---- the list of broken commitments ----------------------------------------------------------

def listed_until(applicant_id: str, today: datetime.date | None = None) -> datetime.date | None:
    """The last day the applicant is barred from 容缺 and 告知承诺, or None when not listed."""
    today = today or _today()
    entry = BrokenCommitment.objects.filter(applicant_id=applicant_id, until__gte=today).order_by("-until").first()
    return entry.until if entry else None


def _refuse_if_listed(applicant_id: str, field: str) -> None:
    until = listed_until(applicant_id)
    if until is not None:
        raise Conflict(
            _("申请人在失信承诺名单内（至 %(until)s），不能适用容缺受理或告知承诺") % {"until": until.isoformat()},
            code="broken_commitment", fields={field: _("申请人在失信承诺名单内")},
        )


def list_broken(case, reason: str) -> BrokenCommitment:
    days = IntakePolicy.objects.values_list("broken_list_days", flat=True).first() or 365
    today = _today()
    return BrokenCommitment.objects.create(
        applicant_id=case.applicant_id, applicant_name=case.applicant_name, case_number=case.number,
        reason=reason[:300], listed_on=today, until=today + datetime.timedelta(days=days),
    )


# ---- filing ----------------------------------------------------------------------------------

def check_filing(version, applicant_id: str, *, commitment, delivery) -> None:
    """Refuse a commitment the item does not allow, a listed applicant, a malformed postal request."""
    if not isinstance(commitment, bool):
        raise ServiceError(_("告知承诺选项格式有误"), fields={"commitment": _("应为 true 或 false")})
    if commitment:
        if not version.commitment_allowed:
            raise ServiceError(_("事项“%(name)s”未实行告知承诺制") % {"name": version.name},
                               code="commitment_not_allowed", fields={"commitment": _("该事项不适用告知承诺")})
        _refuse_if_listed(applicant_id, "commitment")
    if delivery is not None:
        _postal_request(delivery)


def _postal_request(delivery) -> dict:
    if not isinstance(delivery, dict):
        raise ServiceError(_("送达方式格式有误"), fields={"delivery": _("应为对象")})
    method = delivery.get("method")
    if method not in DeliveryMethod.values:
        raise ServiceError(_("请选择送达方式"), fields={"delivery.method": _("应为 %(values)s") % {"values": ", ".join(DeliveryMethod.values)}})
    if method != DeliveryMethod.POST:
        return {"method": method}
    address = _text(delivery, "address", _("收件地址"), max_len=200)
    return {"method": method, "address": address,
            "recipient": _text(delivery, "recipient", _("收件人"), required=False, max_len=60),
            "phone": _text(delivery, "phone", _("收件电话"), required=False, max_len=20)}


def commitment_codes(version) -> frozenset[str]:
    """The item's materials a 告知承诺 replaces."""
    return frozenset(version.materials.filter(by_commitment=True).values_list("code", flat=True))


def on_filed(case, version, *, commitment: bool, delivery) -> None:
    if commitment:
        codes = commitment_codes(version)
        replaced = [m.code for m in case.materials.all() if m.status in LACKING and m.code in codes]
        Commitment.objects.create(case=case, text=version.commitment_text or _("本人承诺所填报信息及提交材料真实有效。"),
                                  materials=replaced)
    if delivery is not None:
        wanted = _postal_request(delivery)
        if wanted["method"] == DeliveryMethod.POST:
            Postal.objects.create(case=case, address=wanted["address"], recipient=wanted["recipient"],
                                  phone=wanted["phone"])
        case.data = {**(case.data or {}), "delivery_method": wanted["method"]}
        case.save(update_fields=["data"])


# ---- accept ----------------------------------------------------------------------------------

def accept_waivers(case, payload) -> tuple[set[str], dict]:
    """The materials the acceptance may go without: those replaced by a commitment, and those
    deferred (容缺) in this request. Validated here; written by `after_accept`."""
    waived: set[str] = set()
    commitment = case.commitment if has_record(case, "commitment") else None
    if commitment is not None:
        waived |= set(commitment.materials)
    deferred = payload.get("deferred")
    if deferred in (None, []):
        return waived, {}
    codes = _codes(payload, "deferred")
    by_code = {m.code: m for m in case.materials.all()}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ServiceError(_("未知材料编码：%(codes)s") % {"codes": "、".join(unknown)}, fields={"deferred": _("不属于该办件")})
    catalogue = dict(case.item_version.materials.filter(code__in=codes).values_list("code", "deferrable"))
    key = [c for c in codes if not catalogue.get(c)]
    if key:
        names = "、".join(f"{c} {by_code[c].name}" for c in key)
        raise ServiceError(_("关键材料不能容缺：%(names)s") % {"names": names}, code="not_deferrable",
                           fields={"deferred": _("%(names)s 为关键材料，不可容缺") % {"names": names}})
    present = [c for c in codes if by_code[c].status not in LACKING]
    if present:
        raise ServiceError(_("材料已提交，无需容缺：%(codes)s") % {"codes": "、".join(present)},
                           fields={"deferred": _("已提交：%(codes)s") % {"codes": "、".join(present)}})
    text = _text(payload, "commitment", _("容缺承诺"), max_len=2000)
    _refuse_if_listed(case.applicant_id, "deferred")
    return waived | set(codes), {"deferred": codes, "commitment": text}


def has_record(case, relation: str) -> bool:
    try:
        getattr(case, relation)
    except ObjectDoesNotExist:  # the one-to-one's RelatedObjectDoesNotExist
        return False
    return True


def received_elsewhere(case) -> bool:
    """收受分离: the receiving site lies outside the handling department's division."""
    return not case.site.region_id.startswith(region_prefix(case.department.region_id))


def after_accept(case, today: datetime.date, info: dict) -> dict:
    if not info:
        return {}
    due, provisional = add_workdays(today, case.item_version.makeup_days)
    Deferral.objects.create(case=case, materials=info["deferred"], commitment=info["commitment"],
                            makeup_due=due, makeup_provisional=provisional)
    return {"deferred": info["deferred"], "makeup_due": due.isoformat()}


# ---- decide ----------------------------------------------------------------------------------

def outstanding(case) -> list[str]:
    """Deferred materials still missing (none once the deferral is cleared)."""
    if not has_record(case, "deferral") or case.deferral.cleared_on:
        return []
    lacking = {m.code for m in case.materials.all() if m.status in LACKING}
    return [c for c in case.deferral.materials if c in lacking]


def verification_pending(case) -> bool:
    return has_record(case, "commitment") and case.commitment.verification_state == VerificationState.PENDING


def check_postal_sent(case) -> None:
    """The 签收 of a postal delivery: only for a result sent by post and not yet received."""
    postal = case.postal if has_record(case, "postal") else None
    if postal is None or postal.state == PostalState.REQUESTED:
        raise Conflict(_("该办件不是寄递送达"), code="not_postal", fields={"method": case.delivery_method})
    if postal.state == PostalState.RECEIVED:
        raise Conflict(_("该邮件已签收"), code="already_received", fields={"status": postal.state})


def check_decidable(case) -> None:
    missing = outstanding(case)
    if missing:
        raise Conflict(_("容缺材料尚未补齐，不能作出决定：%(codes)s") % {"codes": "、".join(missing)},
                       code="deferred_missing", fields={"deferred": missing})


def after_decision(case, today: datetime.date) -> dict:
    if not has_record(case, "commitment") or case.result != Result.APPROVE:
        return {}
    c = case.commitment
    c.verification_due, _prov = add_workdays(today, case.item_version.verification_days)
    c.verification_state = VerificationState.PENDING
    c.save(update_fields=["verification_due", "verification_state"])
    return {"verification_due": c.verification_due.isoformat()}


# ---- deliver ---------------------------------------------------------------------------------

def delivery_details(case, method: str, payload: dict, now) -> dict:
    """Checks and records a postal delivery; refuses postal fields on any other method."""
    if method != DeliveryMethod.POST:
        extra = [f for f in POST_FIELDS if payload.get(f) not in (None, "")]
        if extra:
            raise ServiceError(_("只有寄递送达才填写%(fields)s") % {"fields": "、".join(extra)},
                               code="not_postal", fields={f: _("仅寄递送达（post）时填写") for f in extra})
        return {}
    requested = case.postal if has_record(case, "postal") else None  # read with the locked case
    address = _text(payload, "address", _("收件地址"), required=requested is None, max_len=200) or (requested.address if requested else "")
    courier = _text(payload, "courier", _("寄递企业"), max_len=40)
    waybill = _text(payload, "waybill", _("运单号"), max_len=40)
    postal = requested or Postal(case=case)
    postal.address, postal.courier, postal.waybill = address, courier, waybill
    postal.state, postal.sent_at = PostalState.SENT, now
    postal.save()
    case.postal = postal  # the answer, built from the case read under the lock, shows what was just sent
    return {"address": address, "courier": courier, "waybill": waybill}


# ---- the actions this module adds ------------------------------------------------------------

def _makeup(case, actor, payload):
    """Hand in deferred materials (容缺补正); the deferral clears once none is missing. Whether the
    case has any to hand in, and for the other actions below who may act, is cases.rules'."""
    codes = _codes(payload, "materials")
    if not codes:
        raise ServiceError(_("请列出补交的材料"), fields={"materials": _("至少一项材料编码")})
    deferral = case.deferral
    foreign = [c for c in codes if c not in deferral.materials]
    if foreign:
        raise ServiceError(_("不是容缺材料：%(codes)s") % {"codes": "、".join(foreign)},
                           fields={"materials": _("容缺材料为：%(codes)s") % {"codes": "、".join(deferral.materials)}})
    for m in case.materials.all():
        if m.code in codes:
            m.status = MaterialStatus.PROVIDED
            m.save(update_fields=["status"])
    today = _today()
    left = outstanding(case)
    data = {"materials": codes, "left": left}
    if not left:
        deferral.cleared_on = today
        deferral.save(update_fields=["cleared_on"])
        data["on_time"] = today <= deferral.makeup_due
    return "", data


def _terminate(case, actor, payload):
    """End a 容缺 case whose make-up did not come by its deadline (终止办理)."""
    missing = outstanding(case)
    reason = _text(payload, "reason", _("终止理由"))
    case.result_reason = reason
    list_broken(case, _("容缺受理逾期未补正材料"))
    return reason, {"deferred": missing, "makeup_due": case.deferral.makeup_due.isoformat()}


def _verify(case, actor, payload):
    """核查 a commitment after the decision: confirmed keeps it, false revokes it (state `revoked`)."""
    c = case.commitment
    result = payload.get("result")
    if result not in ("confirmed", "false"):
        raise ServiceError(_("请选择核查结论"), fields={"result": _("应为 confirmed 或 false")})
    note = _text(payload, "note", _("核查说明"), required=(result == "false"))
    c.verification_state = VerificationState.CONFIRMED if result == "confirmed" else VerificationState.FALSE
    c.verified_by, c.verified_at, c.verification_note = actor, timezone.now(), note
    c.save(update_fields=["verification_state", "verified_by", "verified_at", "verification_note"])
    data = {"outcome": result, "on_time": _today() <= c.verification_due}
    if result == "false":
        from onewindow.licences import services as licences
        from onewindow.licences.models import Licence, LicenceStatus

        revoked = []
        for lic in Licence.objects.filter(case_number=case.number, status=LicenceStatus.VALID):
            licences.revoke_licence(lic, _("告知承诺核查不实，撤销审批决定（办件 %(n)s）") % {"n": case.number}, actor=actor)
            revoked.append(lic.number)
        data["revoked_licences"] = revoked
        list_broken(case, _("告知承诺核查不实"))
    return note, data


def _delivery(case, actor, payload):
    """Record the postal status of a delivered result: 签收 (received) with its time."""
    postal = case.postal
    if payload.get("status") != PostalState.RECEIVED:
        raise ServiceError(_("请填写寄递状态"), fields={"status": _("应为 received（签收）")})
    at = timezone.now()
    if payload.get("at"):
        at = _parse_time(payload["at"])
        if at < postal.sent_at or at > timezone.now():
            raise ServiceError(_("签收时间应在寄出之后、当前之前"), fields={"at": _("签收时间不合理")})
    postal.state, postal.received_at = PostalState.RECEIVED, at
    postal.save(update_fields=["state", "received_at"])
    return "", {"status": postal.state, "at": timezone.localtime(at).isoformat()}


def _parse_time(value) -> datetime.datetime:
    try:
        at = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(_("时间格式有误"), fields={"at": _("应为 ISO 8601 时间")}) from None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


HANDLERS = {"makeup": _makeup, "terminate": _terminate, "verify": _verify, "delivery": _delivery}
