"""Every write on cases: filing, the state-machine actions, bundles.

Each public function runs in one transaction. An action locks the case row, checks the
transition table, the actor's role and scope, applies the change, appends a CaseEvent and
an audit entry. Deadlines are computed by `workdays` and stored on the case.
"""

import datetime
import re

from django.db import transaction
from django.db.models import IntegerField, Max, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.selectors import current_versions
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.regions.models import Site, SiteKind, SiteLevel
from onewindow.workdays.selectors import add_workdays, workdays_between

from . import numbering
from .models import (
    ApplicantKind,
    BundleFiling,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    DeliveryMethod,
    MaterialStatus,
    Notice,
    NoticeKind,
    Result,
    State,
    SuspendKind,
)
from .selectors import ACTION_RELATED, get_case_for
from .transitions import PREVIOUS, SAME, TRANSITIONS, allowed_actions

# Sent by the worker after the transaction committed (cases.tasks): case, action, actor.
# Notifications and supervision listen.
case_changed = Signal()

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# ---------------------------------------------------------------- helpers


def _snapshot(case: Case) -> dict:
    return {
        "state": case.state,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "suspended_workdays": case.suspended_workdays,
        "extended_days": case.extended_days,
    }


def _columns(case: Case) -> dict:
    """The case's column values, to write back only what an action changed (no handler edits
    a JSON value in place)."""
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}


def _append_event(case: Case, action: str, actor, *, from_state="", to_state="", note="", data=None,
                  first: bool = False) -> None:
    """Append the case's next event. The caller holds the case row lock (or just created the case),
    so the next sequence number is computed inside the INSERT itself."""
    if first:
        seq = 1
    else:
        last = CaseEvent.objects.filter(case_id=case.pk).values("case_id").annotate(m=Max("seq")).values("m")
        seq = Coalesce(Subquery(last, output_field=IntegerField()), 0) + 1
    user = actor if getattr(actor, "pk", None) else None
    CaseEvent.objects.create(
        case=case,
        seq=seq,
        at=timezone.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_name=str(user) if user else "system",
        actor_role=user.role if user else "system",
        note=note or "",
        data=data or {},
    )


def _announce(case: Case, action: str, actor) -> None:
    """Queue the `case_changed` announcement (cases.tasks).

    With the database queue the task row is written inside the action's own transaction, so it
    commits or rolls back with the change (no lost and no phantom announcement, and no second
    commit per request). A backend that runs tasks at once (tests, ONEWINDOW_TASKS=immediate)
    runs it after the commit instead, so listeners never see an uncommitted case.
    """
    from django_tasks_db import DatabaseBackend

    from .tasks import announce_case_changed

    actor_id = getattr(actor, "pk", None)
    if isinstance(announce_case_changed.get_backend(), DatabaseBackend):
        announce_case_changed.enqueue(case.pk, action, actor_id)
    else:
        transaction.on_commit(lambda: announce_case_changed.enqueue(case.pk, action, actor_id))


def _validate_applicant(applicant: dict) -> dict:
    from onewindow.licences.identifiers import validate_id_number, validate_uscc

    if not isinstance(applicant, dict):
        raise ServiceError(_("申请人信息缺失"), fields={"applicant": _("必填")})
    kind = applicant.get("kind")
    name = (applicant.get("name") or "").strip()
    phone = (applicant.get("phone") or "").strip()
    fields = {}
    if kind not in ApplicantKind.values:
        fields["applicant.kind"] = _("应为 person（自然人）或 org（法人）")
    if not name:
        fields["applicant.name"] = _("申请人名称必填")
    elif len(name) > 100:
        fields["applicant.name"] = _("申请人名称过长")
    if phone and not PHONE_RE.match(phone):
        fields["applicant.phone"] = _("联系电话格式不正确")
    if fields:
        raise ServiceError(_("申请人信息有误"), fields=fields)
    try:
        if kind == ApplicantKind.PERSON:
            ident = validate_id_number(applicant.get("id_number") or "")
        else:
            ident = validate_uscc(applicant.get("uscc") or "")
    except ServiceError as exc:
        raise ServiceError(exc.message, fields={f"applicant.{k}": v for k, v in exc.fields.items()}) from None
    return {"kind": kind, "name": name, "id": ident, "phone": phone}


def _check_self_filing(actor, person: dict) -> None:
    """An applicant files online only in their own name (their ID number or credit code)."""
    if getattr(actor, "role", None) != Role.APPLICANT:
        return
    own = actor.id_number if person["kind"] == ApplicantKind.PERSON else actor.uscc
    if not own or own.upper() != person["id"]:
        raise Forbidden(_("网上申请只能以本人（本单位）名义提交；代他人办理请到窗口或代办点"),
                        fields={"applicant.id_number" if person["kind"] == ApplicantKind.PERSON else "applicant.uscc":
                                _("与登录账号的证件号码不一致")})


def _receiving_site(actor, channel: str, version: ItemVersion, site: Site | None) -> Site:
    if channel in (Channel.WINDOW, Channel.AGENCY):
        s = site or getattr(actor, "site", None)
        if s is None:
            raise ServiceError(_("当前用户未配置服务场所，无法受理"), fields={"site": _("必填")})
        return s
    dept_region = version.item.department.region_id
    s = (
        Site.objects.filter(kind=SiteKind.CENTRE, region_id=dept_region).first()
        or Site.objects.filter(kind=SiteKind.CENTRE, level=SiteLevel.CITY).first()
    )
    if s is None:
        raise ServiceError(_("未配置政务服务中心，无法接收网上申请"), code="not_configured")
    return s


def _check_channel(actor, channel: str) -> None:
    if channel not in Channel.values:
        raise ServiceError(_("申请渠道无效"), fields={"channel": _("应为 window、online 或 agency")})
    allowed = {Role.APPLICANT: {Channel.ONLINE}, Role.CLERK: {Channel.WINDOW}, Role.AGENT: {Channel.AGENCY}}
    role = getattr(actor, "role", None)
    if role not in allowed:
        raise Forbidden(_("当前角色不能提交申请"))
    if channel not in allowed[role]:
        raise ServiceError(_("当前角色不能使用该渠道提交"), fields={"channel": _("应为 %(channel)s") % {"channel": next(iter(allowed[role]))}})


def _resolve_version(item_code: str) -> ItemVersion:
    version = current_versions().filter(item__code=item_code).first()
    if version is None:
        raise NotFound(_("事项 %(item_code)s 不存在或未发布") % {"item_code": item_code}, fields={"item": _("未知事项编码")})
    return version


def _material_rows(version: ItemVersion, provided: list[str], holder_id: str) -> list[CaseMaterial]:
    from onewindow.licences.selectors import licences_of_holder

    if provided is None:
        provided = []
    if not isinstance(provided, list | tuple) or not all(isinstance(c, str) for c in provided):
        raise ServiceError(_("材料列表格式有误"), fields={"materials": _("应为材料编码列表")})
    materials = list(version.materials.select_related("licence_type").all())
    known = {m.code for m in materials}
    unknown = sorted(set(provided) - known)
    if unknown:
        raise ServiceError(
            _("未知材料编码：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"materials": _("事项没有这些材料：%(unknown)s") % {"unknown": ', '.join(unknown)}}
        )
    held = {}
    if any(m.licence_type_id for m in materials):
        for lic in licences_of_holder(holder_id).select_related("licence_type"):
            held.setdefault(lic.licence_type.code, lic.number)
    rows = []
    for m in materials:
        if m.code in provided:
            status, number = MaterialStatus.PROVIDED, ""
        elif m.licence_type_id and m.licence_type.code in held:
            status, number = MaterialStatus.LICENCE, held[m.licence_type.code]
        else:
            status, number = MaterialStatus.MISSING, ""
        rows.append(CaseMaterial(code=m.code, name=m.name, required=m.required, status=status, licence_number=number))
    return rows


# ---------------------------------------------------------------- filing


def _create_case(*, version, applicant, channel, materials, actor, site, data, authorisation, green_channel,
                 bundle_filing=None, number=None, now=None) -> Case:
    now = now or timezone.now()
    rows = _material_rows(version, materials, applicant["id"])
    if number is None:
        number = numbering.next_number(site.region_id, timezone.localtime(now).date())
    user = actor if getattr(actor, "role", None) == Role.APPLICANT else None
    case = Case.objects.create(
        number=number,
        query_code=numbering.new_query_code(),
        item=version.item,
        item_version=version,
        department=version.item.department,
        bundle_filing=bundle_filing,
        applicant_kind=applicant["kind"],
        applicant_name=applicant["name"],
        applicant_id=applicant["id"],
        applicant_phone=applicant["phone"],
        applicant_user=user,
        channel=channel,
        site=site,
        region_code=site.region_id,
        window=getattr(actor, "window", None) if channel == Channel.WINDOW else None,
        filed_by=actor if getattr(actor, "pk", None) else None,
        authorisation=authorisation or "",
        green_channel=green_channel,
        state=State.SUBMITTED,
        submitted_at=now,
        committed_days=version.committed_days,
        statutory_days=version.statutory_days,
        data=data or {},
    )
    for r in rows:
        r.case = case
    CaseMaterial.objects.bulk_create(rows)
    _append_event(
        case, "file", actor, to_state=State.SUBMITTED, first=True,
        data={"channel": channel, "provided": sorted(materials or []),
              "licence": sorted(r.code for r in rows if r.status == MaterialStatus.LICENCE)},
    )
    record(actor=actor, action="case.file", obj_type="case", obj_id=case.number, after=_snapshot(case),
           site_code=site.code)
    _announce(case, "file", actor)
    return case


@transaction.atomic
def file_case(*, item: str, applicant: dict, channel: str, materials: list[str] | None = None, actor,
              site: Site | None = None, data: dict | None = None, authorisation: str = "",
              green_channel: bool = False) -> Case:
    """File one application (一号申请). Bad input raises before anything is written."""
    _check_channel(actor, channel)
    if channel == Channel.AGENCY and not (authorisation or "").strip():
        raise ServiceError(_("代办须记录申请人的授权"), fields={"authorisation": _("必填")})
    version = _resolve_version(item)
    person = _validate_applicant(applicant)
    _check_self_filing(actor, person)
    recv = _receiving_site(actor, channel, version, site)
    return _create_case(version=version, applicant=person, channel=channel, materials=materials or [],
                        actor=actor, site=recv, data=data, authorisation=authorisation, green_channel=green_channel)


def bundle_materials(bundle: Bundle) -> list[dict]:
    """The bundle's materials asked once: the same licence type or the same name is one material.

    Returns [{"key", "name", "required", "items": [(item code, material code), …]}].
    """
    shared: dict[str, dict] = {}
    for bi in bundle.bundle_items.select_related("item").order_by("order"):
        version = bi.item.versions.filter(is_current=True).first()
        if version is None:
            continue
        for m in version.materials.select_related("licence_type"):
            key = f"L:{m.licence_type.code}" if m.licence_type_id else f"N:{m.name.strip()}"
            entry = shared.setdefault(key, {"key": key, "name": m.name, "required": False, "items": []})
            entry["required"] = entry["required"] or m.required
            entry["items"].append((bi.item.code, m.code))
    return list(shared.values())


ENTERPRISE_FIELDS = {
    "enterprise_name": gettext_lazy("企业名称"),
    "legal_representative": gettext_lazy("法定代表人"),
    "registered_capital": gettext_lazy("注册资本（万元）"),
    "address": gettext_lazy("住所"),
}


def _enterprise_data(data) -> dict:
    """The registration data a 五证合一 bundle needs, checked at filing rather than at conclusion."""
    from onewindow.licences import services as licences
    from onewindow.licences.models import EnterpriseType

    data = dict(data or {})
    fields = {f"data.{k}": _("%(label)s必填") % {"label": label} for k, label in ENTERPRISE_FIELDS.items() if not str(data.get(k) or "").strip()}
    # Checked and stored the way licences.register_enterprise reads them at conclusion, so a filed
    # bundle can always be concluded.
    for key, parse in (("registered_capital", licences.parse_capital), ("enterprise_type", licences.enterprise_type_of)):
        if f"data.{key}" in fields:
            continue
        try:
            data[key] = str(parse(data.get(key) or (EnterpriseType.LLC if key == "enterprise_type" else "")))
        except ServiceError as exc:
            fields[f"data.{key}"] = exc.fields[key]
    if fields:
        raise ServiceError(_("开办企业须填写企业登记信息"), fields=fields)
    return data


@transaction.atomic
def file_bundle(*, bundle: str, applicant: dict, channel: str, materials: list[str] | None = None, actor,
                site: Site | None = None, data: dict | None = None, authorisation: str = "") -> BundleFiling:
    """File a 一件事: one child case per item, shared materials given once (keys of bundle_materials)."""
    _check_channel(actor, channel)
    b = Bundle.objects.filter(code=bundle).select_related("lead_department").first()
    if b is None:
        raise NotFound(_("一件事 %(bundle)s 不存在") % {"bundle": bundle}, fields={"bundle": _("未知编码")})
    person = _validate_applicant(applicant)
    _check_self_filing(actor, person)
    shared = bundle_materials(b)
    keys = {e["key"] for e in shared}
    given = set(materials or [])
    unknown = sorted(given - keys)
    if unknown:
        raise ServiceError(_("未知材料：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"materials": _("不属于该一件事")})
    if b.issues_uscc:
        data = _enterprise_data(data)
    versions = []
    for bi in b.bundle_items.select_related("item").order_by("order"):
        versions.append(_resolve_version(bi.item.code))
    lead = versions[0]
    recv = _receiving_site(actor, channel, lead, site)
    now = timezone.now()
    filing = BundleFiling.objects.create(
        number=numbering.next_number(recv.region_id, timezone.localtime(now).date()),
        query_code=numbering.new_query_code(),
        bundle=b, applicant_kind=person["kind"], applicant_name=person["name"], applicant_id=person["id"],
        applicant_phone=person["phone"], applicant_user=actor if actor.role == Role.APPLICANT else None,
        channel=channel, site=recv, data=data or {},
    )
    provided_by_item: dict[str, list[str]] = {}
    for e in shared:
        if e["key"] in given:
            for item_code, mat_code in e["items"]:
                provided_by_item.setdefault(item_code, []).append(mat_code)
    for v in versions:
        _create_case(version=v, applicant=person, channel=channel, materials=provided_by_item.get(v.item.code, []),
                     actor=actor, site=recv, data=data, authorisation=authorisation, green_channel=False,
                     bundle_filing=filing, now=now)
    record(actor=actor, action="bundle.file", obj_type="bundle_filing", obj_id=filing.number,
           after={"bundle": b.code, "cases": len(versions)}, site_code=recv.code)
    return filing


# ---------------------------------------------------------------- actions


class _Refusal(Exception):
    """A refused attempt that supervision must see: recorded after the rollback.

    `make_error` builds the error; it is called twice: once in the request's language for the
    answer, once in Chinese for the note stored on the case (records stay Chinese)."""

    def __init__(self, make_error, event_action: str, data: dict):
        self.error = make_error()
        with override("zh-hans"):
            self.note = make_error().message
        self.event_action, self.data = event_action, data


def perform(number: str, action: str, actor, payload: dict | None = None) -> Case:
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
            _append_event(case, refusal.event_action, actor, from_state=case.state, to_state=case.state,
                          note=refusal.note, data=refusal.data)
            record(actor=actor, action=f"case.{refusal.event_action}", obj_type="case", obj_id=number,
                   after=refusal.data, site_code=case.site.code)
        raise refusal.error from None


def _perform_locked(number, action, actor, payload) -> Case:
    t = TRANSITIONS[action]
    case = get_case_for(actor, number, for_update=True, related=ACTION_RELATED)
    # Handlers and the JSON answer both read the materials: one query, shared.
    prefetch_related_objects([case], "materials")
    if case.state not in t.sources:
        allowed = allowed_actions(case.state)
        raise Conflict(
            _("办件当前状态为“%(state)s”，不能执行“%(label)s”") % {"state": case.get_state_display(), "label": _(t.label)},
            code="invalid_transition",
            fields={"state": case.state, "allowed_actions": allowed},
        )
    if actor.role not in t.roles:
        raise Forbidden(_("当前角色不能执行“%(label)s”") % {"label": _(t.label)})
    before = _snapshot(case)
    columns = _columns(case)
    from_state = case.state
    handler = HANDLERS[action]
    note, data = handler(case, actor, payload)
    if t.target == PREVIOUS:
        case.state, case.state_before_suspension = case.state_before_suspension or State.ACCEPTED, ""
    elif t.target != SAME:
        case.state = t.target
    changed = [name for name, value in _columns(case).items() if value != columns[name]]
    if changed:
        case.save(update_fields=changed)
    _append_event(case, action, actor, from_state=from_state, to_state=case.state, note=note, data=data)
    record(actor=actor, action=f"case.{action}", obj_type="case", obj_id=case.number, before=before,
           after=_snapshot(case), site_code=case.site.code)
    _announce(case, action, actor)
    return case


def _text(payload, key, label, *, required=True, max_len=2000) -> str:
    value = payload.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError(_("%(label)s格式有误") % {"label": label}, fields={key: _("应为文本")})
    value = value.strip()
    if required and not value:
        raise ServiceError(_("%(label)s必填") % {"label": label}, fields={key: _("必填")})
    if len(value) > max_len:
        raise ServiceError(_("%(label)s过长") % {"label": label}, fields={key: _("不超过 %(max_len)s 字") % {"max_len": max_len}})
    return value


def _today() -> datetime.date:
    return timezone.localdate()


def _require_department(case, actor):
    if actor.role in (Role.REVIEWER, Role.APPROVER) and actor.department_id != case.department_id:
        raise Forbidden(_("不是本部门的办件"))


def _notice(case, actor, payload):
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
    items = []
    for code in dict.fromkeys(missing):
        m = by_code[code]
        reason = str(reasons.get(code) or ("缺少该材料" if m.status == MaterialStatus.MISSING else "材料需补正"))
        m.status = MaterialStatus.FAULTY if m.status in (MaterialStatus.PROVIDED, MaterialStatus.LICENCE) else MaterialStatus.MISSING
        m.note = reason[:300]
        m.save(update_fields=["status", "note"])
        items.append({"code": code, "name": m.name, "reason": reason})
    seq = case.notices.filter(kind=NoticeKind.NOTICE).count() + 1
    Notice.objects.create(case=case, kind=NoticeKind.NOTICE, seq=seq, items=items, note=note,
                          issued_at=timezone.now(), issued_by=actor)
    return note, {"missing": [i["code"] for i in items], "notice_seq": seq}


def _supplement(case, actor, payload):
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


def _accept(case, actor, payload):
    if case.site_id != actor.site_id:
        raise Forbidden(_("只能受理本场所的办件"))
    lacking = [m for m in case.materials.all() if m.required and m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)]
    if lacking:
        raise Conflict(
            _("材料不齐全，请出具一次性告知书：%(materials)s") % {"materials": _("、").join(m.name for m in lacking)},
            code="materials_incomplete",
            fields={"materials": [m.code for m in lacking]},
        )
    now = timezone.now()
    today = timezone.localtime(now).date()
    due, provisional = add_workdays(today, case.committed_days)
    case.accepted_at, case.accepted_on = now, today
    case.due_date, case.due_provisional = due, provisional
    case.clerk = actor
    case.window = actor.window or case.window
    return "", {"due_date": due.isoformat(), "provisional": provisional}


def _reject(case, actor, payload):
    reason = _text(payload, "reason", _("不予受理理由"))
    seq = case.notices.filter(kind=NoticeKind.REJECTION).count() + 1
    Notice.objects.create(case=case, kind=NoticeKind.REJECTION, seq=seq, items=[], note=reason,
                          issued_at=timezone.now(), issued_by=actor)
    case.result_reason = reason
    return reason, {}


def _review(case, actor, payload):
    if actor.role == Role.CLERK and not (case.item_version.window_reviews and case.site_id == actor.site_id):
        raise Forbidden(_("该事项未授权窗口审核"))
    _require_department(case, actor)
    opinion = _text(payload, "opinion", _("审核意见"))
    return opinion, {}


def _decide(case, actor, payload):
    version = case.item_version
    if actor.role == Role.CLERK and not (version.window_decides and case.site_id == actor.site_id):
        raise Forbidden(_("该事项未授权窗口决定"))
    if case.state == State.ACCEPTED and not (version.window_decides or version.is_instant):
        raise Conflict(_("该事项须先经审核再作决定"), code="review_required",
                       fields={"state": case.state, "allowed_actions": allowed_actions(case.state)})
    _require_department(case, actor)
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
        data.update(_issue_results(case, actor))
    return reason, data


def _issue_results(case, actor) -> dict:
    """Licence for an approving decision; the enterprise registration when a 五证合一 bundle completes."""
    from onewindow.licences import services as licences
    from onewindow.licences.models import EnterpriseType

    out = {}
    version = case.item_version
    filing = case.bundle_filing
    five_in_one = filing is not None and filing.bundle.issues_uscc
    if version.licence_type_id and not (five_in_one and version.licence_type.code == "YYZZ"):
        lic = licences.issue_licence(
            licence_type=version.licence_type, holder_kind=case.applicant_kind, holder_name=case.applicant_name,
            holder_id=case.applicant_id, department=case.department, case_number=case.number, actor=actor,
        )
        out["licence"] = lic.number
    if five_in_one:
        siblings = Case.objects.filter(bundle_filing=filing).exclude(pk=case.pk)
        if not siblings.exclude(state__in=[State.CONCLUDED, State.DELIVERED], result=Result.APPROVE).exists():
            info = filing.data or {}
            reg = licences.register_enterprise(
                name=info.get("enterprise_name") or case.applicant_name,
                enterprise_type=info.get("enterprise_type", EnterpriseType.LLC),
                legal_representative=info.get("legal_representative", ""),
                registered_capital=str(info.get("registered_capital", "")),
                address=info.get("address", ""),
                division_code=filing.site.region_id[:6],
                case_number=filing.number,
                actor=actor,
            )
            filing.uscc = reg.uscc
            filing.save(update_fields=["uscc"])
            out["uscc"] = reg.uscc
    return out


def _suspend(case, actor, payload):
    _require_department(case, actor)
    reason = _text(payload, "reason", _("挂起理由"))
    kind = payload.get("kind")
    if kind not in SuspendKind.values:
        raise ServiceError(_("请选择特别程序类型"), fields={"kind": _("应为 %(values)s") % {"values": ', '.join(SuspendKind.values)}})
    case.state_before_suspension = case.state
    case.suspended_on = _today()
    return reason, {"kind": kind}


def _resume(case, actor, payload):
    _require_department(case, actor)
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


def _extend(case, actor, payload):
    _require_department(case, actor)
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


def _deliver(case, actor, payload):
    method = payload.get("method")
    if method not in DeliveryMethod.values:
        raise ServiceError(_("请选择送达方式"), fields={"method": _("应为 window、mail 或 electronic")})
    if case.site_id != actor.site_id:
        raise Forbidden(_("只能送达本场所的办件"))
    case.delivered_at, case.delivery_method = timezone.now(), method
    return "", {"method": method}


def _withdraw(case, actor, payload):
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
}
