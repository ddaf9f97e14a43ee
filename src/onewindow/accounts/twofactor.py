"""The second factor (TOTP, django-otp; ADR 0173): required for administrators and supervisors,
offered to every staff member, asked after the password.

A signed-in user who must (their role) or chose to (a confirmed device) give a second factor
reaches only the enrol and verify pages until they have; everything else redirects there (the
API answers 401). ONEWINDOW_DEMO_NO_2FA=1, honoured only outside the production profile, lets every
user through (demo devices included); the demo also gives `admin` and `supervisor1` a TOTP device with a
published key (DEMO_KEY_BASE32), so the real flow can be shown with any authenticator app or with
`onewindow totp USERNAME`.
"""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.errors import error_body

SETUP_URL = "/accounts/2fa/setup/"
VERIFY_URL = "/accounts/2fa/verify/"
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/")
# RFC 6238's test key "12345678901234567890": public, for the demo accounts only.
DEMO_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_USERS = ("admin", "supervisor1")


def required_for(user) -> bool:
    return user.role in settings.SECOND_FACTOR_ROLES and not settings.DEMO_NO_2FA


def needs_second_factor(user) -> bool:
    """True when this signed-in user has not yet given the second factor they owe."""
    if not user.is_authenticated or user.is_verified() or settings.DEMO_NO_2FA:
        return False  # the demo switch lets everyone through, the demo's own TOTP devices included
    return required_for(user) or user_has_device(user, confirmed=True)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not request.path.startswith(OPEN_PREFIXES) and needs_second_factor(user):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("second_factor_required", _("请先完成双因素验证")), status=401)
            target = VERIFY_URL if user_has_device(user, confirmed=True) else SETUP_URL
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return nxt


def _qr_svg(text: str) -> str:
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _record(request, action: str, device=None) -> None:
    from onewindow.audit.services import record
    from onewindow.core.clients import client_address

    record(actor=request.user, action=action, obj_type="user", obj_id=request.user.pk,
           after={"ip": client_address(request), "device": getattr(device, "name", "")})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: a QR code of the otpauth URL, then the first code confirms it."""
    user = request.user
    if not user.is_staff_role:
        return redirect("/")
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{VERIFY_URL}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    error, status = None, 200
    if request.method == "POST":
        if device.verify_token((request.POST.get("token") or "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            _record(request, "account.2fa_enrolled", device)
            return redirect(_next(request))
        error, status = _("验证码不正确，请核对身份验证器上的 6 位数字后重试"), 400
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/2fa_setup.html", {
        "qr": _qr_svg(device.config_url), "secret": secret, "error": error, "next": _next(request),
        "required": required_for(user)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the 6-digit code from the enrolled authenticator."""
    user = request.user
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return redirect(f"{SETUP_URL}?{urlencode({'next': _next(request)})}")
    error, status = None, 200
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                error, status = _("尝试次数过多，请稍候再试"), 429
                break
            if device.verify_token(token):
                otp_login(request, device)
                _record(request, "signin.2fa_ok", device)
                return redirect(_next(request))
        else:
            error, status = _("验证码不正确或已过期，请重试"), 400
        _record(request, "signin.2fa_failed")
    return render(request, "accounts/2fa_verify.html", {"error": error, "next": _next(request)}, status=status)


def demo_devices(stdout=None) -> None:
    """Give the demo's administrator and supervisor a TOTP device with the published demo key."""
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(username__in=DEMO_USERS):
        TOTPDevice.objects.update_or_create(user=user, name="demo", defaults={"key": DEMO_KEY_HEX, "confirmed": True})
    if stdout is not None:
        stdout.write(f"demo: second factor for {', '.join(DEMO_USERS)}: TOTP key {DEMO_KEY_BASE32} "
                     "(or `onewindow totp USERNAME`; ONEWINDOW_DEMO_NO_2FA=1 skips it outside production)")


def mark_verified(client, user) -> None:
    """Test helper: a test client signed in as `user` has also given the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device, _created = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
