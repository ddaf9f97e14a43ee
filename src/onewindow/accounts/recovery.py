"""Account recovery done by an operator: lifting a sign-in lock and removing a lost second factor.

Both are writes on someone else's account, so each names the operator and the reason and leaves an
audit entry in the same transaction (the unlock commands of django-axes write none of their own).
"""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import record
from onewindow.core.errors import NotFound, ServiceError

from .models import User


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        message = "请写明原因（至少 4 个字），例如核实身份的方式和服务台工单号"
        raise ServiceError(message, fields={"reason": message})
    return reason[:200]


@transaction.atomic
def unlock(*, username: str = "", address: str = "", operator: str, reason: str) -> int:
    """Remove the failed sign-ins that lock `username` (at every address, or only at `address`) or,
    without a user name, that lock `address`. Returns how many attempt records were removed."""
    from axes.utils import reset

    reason = _reason(reason)
    username, address = (username or "").strip(), (address or "").strip()
    if not username and not address:
        message = "请指定要解锁的用户名或客户端地址"
        raise ServiceError(message, fields={"username": message})
    removed = reset(ip=address or None, username=username or None)
    record(actor=None, action="signin.unlock", obj_type="user" if username else "address",
           obj_id=username or address,
           after={"username": username, "address": address, "removed": removed, "operator": operator,
                  "reason": reason})
    return removed


@transaction.atomic
def reset_second_factor(*, username: str, operator: str, reason: str) -> int:
    """Delete a user's authenticator devices (a lost or replaced phone). A role that must give a second
    factor enrols a new device at the next sign-in; others sign in with their password alone."""
    reason = _reason(reason)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"没有用户 {username}")
    devices = list(TOTPDevice.objects.filter(user=user).values_list("name", flat=True))
    TOTPDevice.objects.filter(user=user).delete()
    record(actor=None, action="twofactor.reset", obj_type="user", obj_id=user.pk,
           before={"devices": devices}, after={"devices": [], "operator": operator, "reason": reason},
           site_code=_site_code(user))
    return len(devices)


def _site_code(user: User) -> str:
    site = user.site if user.site_id else None  # no query for a user without a site
    return site.code if site is not None else ""
