"""Sign-in protection (ADR 0173): throttling and lockout on every sign-in, the attempts in the
audit chain, the password rule and the staff idle timeout.

django-axes counts failures per account and per client address (core.clients.client_address) on every
path that authenticates with a request: the staff and applicant login page (username or mobile
number, PhoneBackend) and the admin login. From the 5th failure each next attempt waits a
growing delay (15 s, doubled each time); at the 10th the account or address is locked for 15
minutes. The person is told in Chinese when they may try again.
"""

import ipaddress
import logging
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, Sum
from django.dispatch import receiver
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.clients import client_address
from onewindow.core.errors import error_body
from onewindow.core.text import mask_phone

log = logging.getLogger("onewindow.audit")


def axes_client_ip(request) -> str | None:
    """The client address for axes (core.clients), None when there is no valid one (a request
    built outside a server, such as Django's test client's login): axes stores it as an
    address, which PostgreSQL checks."""
    addr = client_address(request)
    try:
        return str(ipaddress.ip_address(addr))
    except ValueError:
        return None


class SignInGuard(AxesStandaloneBackend):
    """Axes' guard, first of the backends. Calls without a request (Django's test client's
    `login`, scripts) are not web sign-ins and pass to the next backend unguarded."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _delay(failures: int) -> timedelta | None:
    after = settings.SIGNIN_DELAY_AFTER
    if failures < after:
        return None
    return timedelta(seconds=settings.SIGNIN_DELAY_SECONDS * 2 ** (failures - after))


def _attempts(username: str | None, ip: str):
    q = Q(ip_address=ip)
    if username:
        q |= Q(username=username)
    return AccessAttempt.objects.filter(q, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def retry_at(username: str | None, ip: str):
    """When this account and address may sign in again (None: now). Counted per account and per
    address; the later of the two."""
    when = None
    for flt in ([Q(username=username)] if username else []) + [Q(ip_address=ip)]:
        row = _attempts(username, ip).filter(flt).aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
        if not row["last"]:
            continue
        total = row["total"] or 0
        wait = settings.AXES_COOLOFF_TIME if total >= settings.AXES_FAILURE_LIMIT else _delay(total)
        if wait is not None and row["last"] + wait > timezone.now():
            when = max(when, row["last"] + wait) if when else row["last"] + wait
    return when


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler with the growing delay from the 5th failure."""

    def is_locked(self, request, credentials=None) -> bool:
        failures = self.get_failures(request, credentials)
        if failures >= get_failure_limit(request, credentials):
            return True
        if _delay(failures) is None:
            return False
        username = get_client_username(request, credentials)
        return retry_at(username, request.axes_ip_address) is not None


def lockout_response(request, response=None, credentials=None):
    """The refusal: the login page again (or JSON) saying when to try again, status 429."""
    username = get_client_username(request, credentials)
    when = retry_at(username, axes_client_ip(request)) or (timezone.now() + timedelta(seconds=settings.SIGNIN_DELAY_SECONDS))
    local = timezone.localtime(when)
    minutes = max(1, int((when - timezone.now()).total_seconds() + 59) // 60)
    message = _("登录失败次数过多，请于 %(time)s（约 %(minutes)s 分钟后）再试。") % {
        "time": local.strftime("%H:%M"), "minutes": minutes}
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        resp = JsonResponse(error_body("locked_out", message, {"retry_at": local.isoformat()}), status=429)
    else:
        from django.contrib import admin
        from django.contrib.auth.forms import AuthenticationForm

        form = AuthenticationForm(request)
        form.cleaned_data = {}
        form._errors = ErrorDict()  # an unbound form: give it errors so that the message shows
        form.add_error(None, message)
        context = {"form": form, "locked_message": message, "next": request.POST.get("next", "")}
        if request.path.startswith("/admin/"):
            context.update(admin.site.each_context(request), title=_("登录"), app_path=request.get_full_path())
            resp = render(request, "admin/login.html", context, status=429)
        else:
            resp = render(request, "accounts/login.html", context, status=429)
    resp["Retry-After"] = str(max(1, int((when - timezone.now()).total_seconds())))
    return resp


# ---------------------------------------------------------------- attempts in the audit chain

def _record(action: str, name: str, request, actor=None) -> None:
    from onewindow.audit.services import record

    ip = client_address(request) if request is not None else ""
    name = str(name or "")[:64]
    if name.isdigit() and len(name) == 11:  # a mobile number used as the sign-in name
        name = mask_phone(name)
    record(actor=actor, action=action, obj_type="user", obj_id=name or "-",
           after={"ip": ip, "path": getattr(request, "path", "")[:200]})
    log.info("%s user=%s ip=%s", action, name, ip)


@receiver(user_login_failed, dispatch_uid="onewindow.signin.failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    locked = getattr(request, "axes_locked_out", False)
    _record("signin.locked" if locked else "signin.failed", credentials.get("username", ""), request)


@receiver(user_logged_in, dispatch_uid="onewindow.signin.ok")
def _succeeded(sender, request, user, **kwargs):
    if request is None:
        return
    if hasattr(request, "session"):
        request.session[StaffIdleTimeoutMiddleware.KEY] = int(time.time())
    _record("signin.ok", user.get_username(), request, actor=user)


# ---------------------------------------------------------------- password rule and idle timeout

class LettersAndDigitsValidator:
    """A password holds at least one letter and one digit (等保 2.0 complexity)."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password or "") and re.search(r"\d", password or "")):
            raise ValidationError(_("密码须同时包含字母和数字"), code="password_letters_digits")

    def get_help_text(self):
        return _("密码须同时包含字母和数字")


class StaffIdleTimeoutMiddleware:
    """Ends a staff member's session after STAFF_IDLE_MINUTES without a request."""

    KEY = "_ow_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_staff_role", False):
            now = int(time.time())  # the wall clock: idleness is real time
            seen = request.session.get(self.KEY)
            if seen and now - seen > settings.STAFF_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(error_body("session_expired", _("登录已超时，请重新登录")), status=401)
                from django.contrib import messages

                messages.info(request, _("长时间未操作，已自动退出，请重新登录"))
                return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.path})}")
            if not seen or now - seen >= 60:  # write the session at most once a minute
                request.session[self.KEY] = now
        return self.get_response(request)

