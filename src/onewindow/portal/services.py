"""Writes of the online service hall: applicant registration with SMS codes, online filing
with uploaded materials, online supplements and withdrawals, tracking-rate counters.

Every function that changes state runs in one transaction and records an audit entry.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind, Role, User
from onewindow.audit.services import record
from onewindow.cases import services as case_services
from onewindow.catalog.models import ItemVersion, OnlineDepth
from onewindow.core.errors import Forbidden, ServiceError
from onewindow.core.text import clean_name
from onewindow.licences.identifiers import validate_id_number, validate_uscc

from .models import SmsCode, Upload
from .notifications import send_sms
from .uploads import SIGNATURES, check_limits, inspect_file, max_upload_bytes, within_batch

__all__ = ["SIGNATURES", "inspect_file", "max_upload_bytes"]  # imported from here by the agency and views

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
CODE_TTL = datetime.timedelta(minutes=5)
CODE_MAX_FAILURES = 5
ONLINE_DEPTHS = (OnlineDepth.FULL, OnlineDepth.PREREVIEW)



def _conf(name, default):
    return getattr(settings, name, default)


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


# ---------------------------------------------------------------- SMS codes


def _digest(phone: str, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


def normalise_phone(phone: str) -> str:
    phone = re.sub(r"[\s\-]", "", str(phone or ""))
    if not PHONE_RE.match(phone):
        raise ServiceError(_("手机号格式不正确"), fields={"phone": _("请输入11位中国大陆手机号")})
    return phone


def _serialise(key: str) -> None:
    """Make concurrent count-then-insert rate checks on one key take turns (call inside a
    transaction): a transaction-scoped advisory lock on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers."""
    if not connection.in_atomic_block:
        raise RuntimeError("_serialise must run inside the caller's transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


@transaction.atomic
def request_sms_code(phone: str, purpose: str = "register") -> None:
    """Send a 6-digit one-time code by SMS. At most one a minute and five an hour per phone."""
    phone = normalise_phone(phone)
    _serialise(f"sms:{phone}")
    now = timezone.now()
    per_minute = int(_conf("ONEWINDOW_SMS_INTERVAL_SECONDS", 60))
    per_hour = int(_conf("ONEWINDOW_SMS_PER_HOUR", 5))
    recent = SmsCode.objects.filter(phone=phone, created_at__gt=now - datetime.timedelta(hours=1))
    if recent.filter(created_at__gt=now - datetime.timedelta(seconds=per_minute)).exists():
        raise RateLimited(_("验证码发送过于频繁，请稍后再试"), fields={"phone": _("%(per_minute)s 秒内只能获取一次") % {"per_minute": per_minute}})
    if recent.count() >= per_hour:
        raise RateLimited(_("验证码发送次数已达上限，请一小时后再试"), fields={"phone": _("每小时最多 %(per_hour)s 次") % {"per_hour": per_hour}})
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.create(phone=phone, purpose=purpose, digest=_digest(phone, code), created_at=now,
                           expires_at=now + CODE_TTL)
    send_sms(phone, f"【宿州市政务服务中心】您的验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。",
             kind=f"sms_code.{purpose}")


def _check_code(phone: str, code: str, purpose: str) -> SmsCode:
    """Find the latest live code and compare; a wrong code counts a failure (committed)."""
    now = timezone.now()
    with transaction.atomic():
        sms = (SmsCode.objects.select_for_update()
               .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
               .order_by("-created_at", "-id").first())
        if sms is None or sms.failures >= CODE_MAX_FAILURES:
            return None
        if not hmac.compare_digest(sms.digest, _digest(phone, str(code or "").strip())):
            sms.failures += 1
            sms.save(update_fields=["failures"])
            return None
        return sms


def _consume_code(phone: str, code: str, purpose: str) -> None:
    sms = _check_code(phone, code, purpose)
    if sms is None:
        raise ServiceError(_("短信验证码错误或已失效"), fields={"code": _("验证码错误或已失效")})
    updated = SmsCode.objects.filter(pk=sms.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not updated:
        raise ServiceError(_("短信验证码已使用"), fields={"code": _("验证码已使用")})


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise ServiceError(_("密码不符合要求"), fields={"password": _("；").join(exc.messages)}) from None


def _check_account_free(phone: str, ident_field: str, ident: str) -> None:
    User = get_user_model()
    if User.objects.filter(username=phone).exists() or User.objects.filter(phone=phone, role=Role.APPLICANT).exists():
        raise ServiceError(_("该手机号已注册"), fields={"phone": _("该手机号已注册，请直接登录")})
    if User.objects.filter(**{ident_field: ident, "role": Role.APPLICANT}).exists():
        label = _("身份证号") if ident_field == "id_number" else _("统一社会信用代码")
        raise ServiceError(_("该%(label)s已注册") % {"label": label}, fields={ident_field: _("该%(label)s已注册") % {"label": label}})


def _register(*, kind, phone, password, code, name, ident_field, ident, email, legal_representative=""):
    _check_account_free(phone, ident_field, ident)
    _check_password(password)
    _consume_code(phone, code, "register")
    with transaction.atomic():
        # Checked again under per-phone and per-identity locks: two sign-ups at once cannot both pass.
        _serialise(f"register:{phone}")
        _serialise(f"register:{ident_field}:{ident}")
        _check_account_free(phone, ident_field, ident)
        User = get_user_model()
        user = User(username=phone, role=Role.APPLICANT, display_name=name, phone=phone, applicant_kind=kind,
                    email=(email or "").strip(), legal_representative=legal_representative,
                    **{ident_field: ident})
        user.set_password(password)
        user.save()
        record(actor=user, action="account.register", obj_type="user", obj_id=user.pk,
               after={"kind": kind, "username": user.username})
    return user


def _name(value, label, field="name", max_len=100) -> str:
    return clean_name(value, field, label, max_len)


def register_person(*, phone: str, password: str, code: str, name: str, id_number: str, email: str = ""):
    """Register a citizen (自然人) account; the SMS code must match the latest one sent to `phone`."""
    phone = normalise_phone(phone)
    name = _name(name, _("姓名"))
    ident = validate_id_number(id_number)
    return _register(kind=ApplicantKind.PERSON, phone=phone, password=password, code=code, name=name,
                     ident_field="id_number", ident=ident, email=email)


def register_org(*, phone: str, password: str, code: str, name: str, uscc: str, legal_representative: str,
                 email: str = ""):
    """Register an enterprise (法人) account by its unified social credit code."""
    phone = normalise_phone(phone)
    name = _name(name, _("单位名称"))
    legal = _name(legal_representative, _("法定代表人"), "legal_representative", 50)
    ident = validate_uscc(uscc)
    return _register(kind=ApplicantKind.ORG, phone=phone, password=password, code=code, name=name,
                     ident_field="uscc", ident=ident, email=email, legal_representative=legal)


# ---------------------------------------------------------------- uploads and online filing


def applicant_of(user: User, phone: str | None = None) -> dict:
    """The applicant block for file_case, from the account's profile."""
    if user.applicant_kind == ApplicantKind.ORG:
        block = {"kind": "org", "name": user.display_name, "uscc": user.uscc}
        ident = user.uscc
    else:
        block = {"kind": "person", "name": user.display_name, "id_number": user.id_number}
        ident = user.id_number
    if not ident or not user.display_name:
        raise ServiceError(_("请先完善申请人信息（姓名/名称与证件号码）"), fields={"applicant": _("资料不完整")})
    block["phone"] = (phone if phone is not None else user.phone or "").strip()
    return block


def sort_files(files: dict) -> tuple[list, dict]:
    """Check every file, not only up to the first refusal: (the files that passed, {field: reason})."""
    good, errors = [], {}
    for code, items in (files or {}).items():
        for f in items if isinstance(items, list | tuple) else [items]:
            try:
                data, ctype, ext = inspect_file(f, f"m_{code}")
            except ServiceError as exc:
                detail = exc.fields.get(f"m_{code}")
                errors[f"m_{code}"] = f"{exc.message}（{detail}）" if detail else exc.message
                continue
            good.append((code, f, data, ctype, ext))
    good, over = within_batch(good)
    return good, {**over, **errors}


def _checked(files: dict) -> list[tuple[str, object, bytes, str, str]]:
    out = []
    for code, items in (files or {}).items():
        for f in items if isinstance(items, list | tuple) else [items]:
            data, ctype, ext = inspect_file(f, f"m_{code}")
            out.append((code, f, data, ctype, ext))
    return out


def _within_limits(user: User, checked, case=None) -> None:
    """The batch against the count, size and daily limits (uploads.check_limits); one uploader's
    batches take turns, so that two at once cannot both pass the daily volume."""
    _serialise(f"uploads:{user.pk}")
    check_limits(user, checked, case)


def store_uploads(case, user: User, checked) -> list[Upload]:
    """Store checked files [(code, file, data, ctype, ext)] as the case's uploads (also the agency's 委托书),
    within the count, size and daily limits."""
    _within_limits(user, checked, case)
    return _store(case, user, checked)


def _store(case, user: User, checked) -> list[Upload]:
    saved = []
    try:
        for code, f, data, ctype, ext in checked:
            up = Upload(case=case, material_code=code, original_name=(getattr(f, "name", "") or f"{code}.{ext}")[-200:],
                        content_type=ctype, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by=user)
            up.file.save(f"{code}.{ext}", ContentFile(data), save=False)
            saved.append(up)
            up.save()
            record(actor=user, action="upload.add", obj_type="case", obj_id=case.number,
                   after={"material": code, "sha256": up.sha256, "size": up.size, "name": up.original_name})
    except Exception:
        for up in saved:
            up.file.storage.delete(up.file.name)
        raise
    return saved


def _require_applicant(user: User) -> None:
    if getattr(user, "role", None) != Role.APPLICANT:
        raise Forbidden(_("仅申请人可以使用网上办事大厅"))


@transaction.atomic
def apply_online(*, user: User, item: str, files: dict, phone: str | None = None, data: dict | None = None,
                 commitment: bool = False, delivery: dict | None = None):
    """File an online application with uploaded materials ({material code: [files]}).

    The case is filed with channel "online" and the uploaded codes as provided materials; it
    waits in the receiving centre's pre-review queue (state submitted).
    """
    _require_applicant(user)
    version = (ItemVersion.objects.filter(item__code=item, is_current=True, status="published")
               .only("online_depth").first())
    if version is not None and version.online_depth not in ONLINE_DEPTHS:
        raise ServiceError(_("该事项暂不支持网上申请，请到窗口办理"), fields={"item": _("仅窗口办理")})
    checked = _checked(files)
    _within_limits(user, checked)
    codes = sorted({c[0] for c in checked})
    case = case_services.file_case(item=item, applicant=applicant_of(user, phone), channel="online",
                                   materials=codes, actor=user, data=data, commitment=commitment, delivery=delivery)
    _store(case, user, checked)
    return case


@transaction.atomic
def supplement_online(*, user: User, number: str, files: dict):
    """Upload the missing materials and perform "supplement" on the case, in one transaction."""
    _require_applicant(user)
    checked = _checked(files)
    codes = sorted({c[0] for c in checked})
    if not codes:
        raise ServiceError(_("请上传补正的材料"), fields={"materials": _("至少一项")})
    case = case_services.perform(number, "supplement", user, {"materials": codes})
    _within_limits(user, checked, case)  # refused: the supplement above is rolled back with it
    _store(case, user, checked)
    return case


@transaction.atomic
def withdraw_online(*, user: User, number: str, reason: str = ""):
    _require_applicant(user)
    return case_services.perform(number, "withdraw", user, {"reason": reason})
