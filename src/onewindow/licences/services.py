"""Writes of the licences app: issuing and revoking e-licences, enterprise registration.

Every function runs in one transaction and appends an audit entry. Numbers come from counter
rows locked with select_for_update (PostgreSQL row lock; on SQLite the settings open IMMEDIATE
transactions, which serialise writers), so two processes never hand out the same number.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.catalog.models import Department, LicenceType
from onewindow.core.errors import Conflict, ServiceError

from .identifiers import ORG_CODE_BODY_SPACE, generate_uscc, validate_id_number, validate_uscc
from .models import (
    EnterpriseRegistration,
    EnterpriseType,
    HolderKind,
    Licence,
    LicenceNumberSequence,
    LicenceStatus,
    UsccSequence,
)

BUSINESS_LICENCE_CODE = "YYZZ"
BUSINESS_LICENCE_NAME = "营业执照"

# 五证合一: the registration data is pushed to these departments by default.
DEFAULT_SHARE_DEPARTMENTS = ("税务", "人力资源社会保障（社保）", "统计", "住房公积金", "商务", "海关")

# The USCC's second character (entity type under registration authority 9, 市场监管).
USCC_ORG_TYPE = {
    EnterpriseType.INDIVIDUAL: "2",
    EnterpriseType.COOPERATIVE: "3",
}


def _actor_name(actor: User | None) -> str:
    return getattr(actor, "username", None) or (str(actor) if actor else "system")


def _licence_snapshot(licence: Licence) -> dict:
    return {
        "licence_type": licence.licence_type.code,
        "number": licence.number,
        "holder_kind": licence.holder_kind,
        "holder_name": licence.holder_name,
        "holder_id": licence.holder_id,
        "department": licence.department.code if licence.department_id else None,
        "issued_on": licence.issued_on,
        "valid_until": licence.valid_until,
        "status": licence.status,
        "case_number": licence.case_number,
    }


def add_years_inclusive(start: datetime.date, years: int) -> datetime.date:
    """Last day of a validity of `years` years starting on `start` (e.g. 2024-03-15, 5 → 2029-03-14)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year: the period ends with 28 February
        anniversary = datetime.date(start.year + years, 3, 1)
    return anniversary - datetime.timedelta(days=1)


def _next_licence_number(licence_type: LicenceType, year: int) -> str:
    LicenceNumberSequence.objects.get_or_create(licence_type=licence_type, year=year)
    counter = LicenceNumberSequence.objects.select_for_update().get(licence_type=licence_type, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{licence_type.code}-{year:04d}-{counter.last:06d}"


def _normalize_holder(holder_kind: str, holder_id: str) -> str:
    if holder_kind == HolderKind.PERSON:
        try:
            return validate_id_number(holder_id)
        except ServiceError as exc:
            raise ServiceError(exc.message, fields={"holder_id": exc.message}) from exc
    if holder_kind == HolderKind.ORG:
        try:
            return validate_uscc(holder_id)
        except ServiceError as exc:
            raise ServiceError(exc.message, fields={"holder_id": exc.message}) from exc
    msg = gettext("持证主体类型应为 person（自然人）或 org（法人及其他组织）")
    raise ServiceError(msg, fields={"holder_kind": msg})


@transaction.atomic
def issue_licence(
    *,
    licence_type: LicenceType | str,
    holder_kind: str,
    holder_name: str,
    holder_id: str,
    department: Department | None,
    case_number: str = "",
    issued_on: datetime.date | None = None,
    data: dict | None = None,
    actor: User | None = None,
) -> Licence:
    """Issue one e-licence numbered "<type code>-<YYYY>-<6-digit sequence>" (per type and year).

    holder_id is validated and normalised: a GB 11643 ID number for a person, a USCC for an org.
    department None falls back to the licence type's department. valid_until is the last day of
    `licence_type.validity_years` years from issued_on; 0 years means long-term (None).
    """
    if isinstance(licence_type, str):
        code, licence_type = licence_type, LicenceType.objects.filter(code=licence_type).first()
        if licence_type is None:
            msg = gettext("证照类型 %(code)s 不存在") % {"code": code}
            raise ServiceError(msg, fields={"licence_type": msg})
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise ServiceError(gettext("持证主体名称不能为空"), fields={"holder_name": gettext("持证主体名称不能为空")})
    holder_id = _normalize_holder(holder_kind, holder_id)
    issued_on = issued_on or timezone.localdate()
    if department is None and licence_type.department_id:
        department = licence_type.department
    years = licence_type.validity_years or 0
    valid_until = add_years_inclusive(issued_on, years) if years else None

    licence = Licence.objects.create(
        licence_type=licence_type,
        number=_next_licence_number(licence_type, issued_on.year),
        holder_kind=holder_kind,
        holder_name=holder_name,
        holder_id=holder_id,
        department=department,
        issued_on=issued_on,
        valid_until=valid_until,
        status=LicenceStatus.VALID,
        case_number=case_number or "",
        data=data or {},
    )
    record(actor=actor, action="licence.issue", obj_type="licence", obj_id=licence.pk,
           after=_licence_snapshot(licence))
    return licence


@transaction.atomic
def revoke_licence(licence: Licence, reason: str, actor: User | None = None) -> Licence:
    """Revoke (注销) a licence; it no longer counts as held. Revoking twice is a Conflict."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(gettext("请填写注销原因"), fields={"reason": gettext("请填写注销原因")})
    locked = Licence.objects.select_for_update().select_related("licence_type").get(pk=licence.pk)
    if locked.status == LicenceStatus.REVOKED:
        raise Conflict(gettext("该证照已注销"), fields={"licence": gettext("该证照已注销")})
    before = _licence_snapshot(locked)
    locked.status = LicenceStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoke_reason = reason[:300]
    locked.save(update_fields=["status", "revoked_at", "revoke_reason"])
    record(actor=actor, action="licence.revoke", obj_type="licence", obj_id=locked.pk,
           before=before, after={**_licence_snapshot(locked), "reason": locked.revoke_reason})
    licence.status, licence.revoked_at, licence.revoke_reason = locked.status, locked.revoked_at, locked.revoke_reason
    return locked


@transaction.atomic
def expire_licences(*, today: datetime.date | None = None, actor: User | None = None) -> int:
    """Mark valid licences whose validity has ended as expired; returns how many (for the worker)."""
    today = today or timezone.localdate()
    ids = list(
        Licence.objects.select_for_update()
        .filter(status=LicenceStatus.VALID, valid_until__lt=today)
        .values_list("pk", flat=True)
    )
    if ids:
        Licence.objects.filter(pk__in=ids).update(status=LicenceStatus.EXPIRED)
        record(actor=actor, action="licence.expire", obj_type="licence", obj_id=",".join(map(str, ids[:50])),
               after={"count": len(ids), "today": today})
    return len(ids)


# ---------------------------------------------------------------- enterprise registration


def enterprise_type_of(value) -> str:
    """An EnterpriseType value from its value or its Chinese or current-language label."""
    value = str(value or "").strip()
    for choice in EnterpriseType:
        with override("zh-hans"):
            chinese = str(choice.label)
        if value in (choice.value, chinese, str(choice.label)):
            return choice.value
    msg = gettext("企业类型无效，可选：%(types)s") % {"types": gettext("、").join(str(c.label) for c in EnterpriseType)}
    raise ServiceError(msg, fields={"enterprise_type": msg})


def parse_capital(value) -> Decimal:
    """Registered capital in 万元, as written on a form ("100", "100万", "100万元"), to two places."""
    text = str(value if value is not None else 0).strip().removesuffix("万元").removesuffix("万").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        msg = gettext("注册资本应为非负金额（万元）")
        raise ServiceError(msg, fields={"registered_capital": msg})
    return amount.quantize(Decimal("0.01"))


def _business_licence_type() -> LicenceType:
    licence_type = LicenceType.objects.filter(code=BUSINESS_LICENCE_CODE).first()
    if licence_type is None:
        licence_type, _ = LicenceType.objects.get_or_create(
            code=BUSINESS_LICENCE_CODE,
            defaults={"name": BUSINESS_LICENCE_NAME, "validity_years": 0, "department": _market_department()},
        )
    return licence_type


def _market_department(division_code: str = "") -> Department | None:
    """The market-regulation department (市场监管) that issues business licences, if catalogued."""
    qs = Department.objects.filter(name__contains="市场监督管理") | Department.objects.filter(
        name__contains="市场监管"
    )
    if division_code:
        local = qs.filter(region__code=division_code).first()
        if local:
            return local
    return qs.order_by("order", "code").first()


def _share_entries(departments, when) -> list[dict]:
    entries, seen = [], set()
    stamp = timezone.localtime(when).isoformat()
    for dept in departments:
        name = getattr(dept, "name", dept)
        name = str(name).strip()
        if name and name not in seen:
            seen.add(name)
            entries.append({"department": name, "shared_at": stamp})
    return entries


def _allocate_uscc(division_code: str, org_type: str) -> str:
    UsccSequence.objects.get_or_create(division_code=division_code)
    counter = UsccSequence.objects.select_for_update().get(division_code=division_code)
    while True:
        counter.last += 1
        if counter.last >= ORG_CODE_BODY_SPACE:
            raise Conflict(gettext("该区划的统一社会信用代码已分配完"), fields={"division_code": gettext("代码已分配完")})
        code = generate_uscc(authority="9", org_type=org_type, division_code=division_code, sequence=counter.last)
        # A code imported from elsewhere may already sit on that number: move on to the next one.
        if not EnterpriseRegistration.objects.filter(uscc=code).exists():
            break
    counter.save(update_fields=["last"])
    return code


@transaction.atomic
def register_enterprise(
    *,
    name: str,
    enterprise_type: str,
    legal_representative: str,
    registered_capital,
    address: str,
    division_code: str,
    case_number: str,
    actor: User | None = None,
    share_with=None,
    registered_on: datetime.date | None = None,
    department: Department | None = None,
) -> EnterpriseRegistration:
    """Register an enterprise (五证合一、一照一码).

    Allocates the USCC (authority 9; type 1 企业, 2 个体工商户, 3 农民专业合作社) from the division's
    counter, issues the one business licence (营业执照, LicenceType "YYZZ", created if missing)
    carrying that code, and records the departments the registration data was shared with
    (default DEFAULT_SHARE_DEPARTMENTS; share_with takes names or Department objects).
    enterprise_type is an EnterpriseType value ("llc") or its label ("有限责任公司").
    """
    errors = {}
    name = (name or "").strip()
    legal_representative = (legal_representative or "").strip()
    address = (address or "").strip()
    division_code = str(division_code or "").strip()
    if not name:
        errors["name"] = gettext("企业名称不能为空")
    if not legal_representative:
        errors["legal_representative"] = gettext("法定代表人（负责人、经营者）不能为空")
    if not address:
        errors["address"] = gettext("住所（经营场所）不能为空")
    if len(division_code) != 6 or not division_code.isdigit() or division_code == "000000":
        errors["division_code"] = gettext("登记地区划代码应为6位数字")
    if errors:
        raise ServiceError(gettext("企业登记信息不完整或有误"), fields=errors)
    kind = enterprise_type_of(enterprise_type)
    capital = parse_capital(registered_capital)
    registered_on = registered_on or timezone.localdate()

    uscc = _allocate_uscc(division_code, USCC_ORG_TYPE.get(kind, "1"))
    licence_type = _business_licence_type()
    licence = issue_licence(
        licence_type=licence_type,
        holder_kind=HolderKind.ORG,
        holder_name=name,
        holder_id=uscc,
        department=department or licence_type.department or _market_department(division_code),
        case_number=case_number or "",
        issued_on=registered_on,
        data={
            "uscc": uscc,
            "name": name,
            "enterprise_type": str(EnterpriseType(kind).label),
            "legal_representative": legal_representative,
            "registered_capital": str(capital),
            "address": address,
            "registered_on": registered_on.isoformat(),
        },
        actor=actor,
    )
    now = timezone.now()
    registration = EnterpriseRegistration.objects.create(
        uscc=uscc,
        name=name,
        enterprise_type=kind,
        legal_representative=legal_representative,
        registered_capital=capital,
        address=address,
        division_code=division_code,
        registered_on=registered_on,
        licence=licence,
        case_number=case_number or "",
        shared_with=_share_entries(DEFAULT_SHARE_DEPARTMENTS if share_with is None else share_with, now),
    )
    record(
        actor=actor,
        action="enterprise.register",
        obj_type="enterprise_registration",
        obj_id=registration.pk,
        after={
            "uscc": uscc,
            "name": name,
            "enterprise_type": kind,
            "division_code": division_code,
            "licence": licence.number,
            "case_number": registration.case_number,
            "shared_with": registration.shared_department_names,
        },
    )
    return registration


@transaction.atomic
def share_registration(registration: EnterpriseRegistration, departments, actor: User | None = None) -> EnterpriseRegistration:
    """Push the registration data to more departments; names already shared are not repeated."""
    locked = EnterpriseRegistration.objects.select_for_update().get(pk=registration.pk)
    already = set(locked.shared_department_names)
    new = [e for e in _share_entries(departments, timezone.now()) if e["department"] not in already]
    if new:
        locked.shared_with = [*locked.shared_with, *new]
        locked.save(update_fields=["shared_with"])
        record(actor=actor, action="enterprise.share", obj_type="enterprise_registration", obj_id=locked.pk,
               after={"uscc": locked.uscc, "shared_with": [e["department"] for e in new]})
    registration.shared_with = locked.shared_with
    return locked
