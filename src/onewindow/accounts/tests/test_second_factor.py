"""The second factor: required for administrators and supervisors, offered to other staff.
Codes are computed here by hand (RFC 6238: HMAC-SHA1 over the 30-second counter)."""

import hashlib
import hmac
import re
import struct
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.models import Role, User
from onewindow.accounts.twofactor import DEMO_KEY_BASE32, demo_devices
from onewindow.audit.models import AuditEntry
from onewindow.regions.models import Region

pytestmark = pytest.mark.real_second_factor
PW = "Right-pass-2026"


def totp(key: bytes, at: float | None = None) -> str:
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def _signed_in(username, role, **extra):
    if role == Role.SUPERVISOR:
        extra["region"] = Region.objects.get_or_create(code="341300", defaults={"name": "宿州市", "level": "city"})[0]
    user = User.objects.create_user(username, password=PW, role=role, **extra)
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PW}).status_code == 302
    return user, client


@pytest.mark.django_db
def test_supervisor_must_enrol_then_verify_on_every_new_sign_in():
    user, client = _signed_in("sup", Role.SUPERVISOR)
    resp = client.get("/supervision/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/2fa/setup/?next=%2Fsupervision%2F"
    assert client.get("/api/v1/supervision/alerts").status_code == 401
    page = client.get(resp["Location"])
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in page.content.decode()
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode()).group(1)
    key = TOTPDevice.objects.get(user=user).bin_key
    import base64

    assert base64.b32decode(secret) == key
    assert client.post("/accounts/2fa/setup/", {"token": "000000" if totp(key) != "000000" else "111111",
                                                "next": "/supervision/"}).status_code == 400
    time.sleep(1.1)  # django-otp's throttle: after a failure the next try waits 1 s
    resp = client.post("/accounts/2fa/setup/", {"token": totp(key), "next": "/supervision/"})
    assert resp.status_code == 302 and resp["Location"] == "/supervision/"
    assert client.get("/supervision/").status_code == 200
    assert AuditEntry.objects.filter(action="account.2fa_enrolled", object_id=str(user.pk)).count() == 1
    # a new sign-in: the password alone is not enough
    other = Client()
    other.post("/accounts/login/", {"username": "sup", "password": PW})
    resp = other.get("/supervision/")
    assert resp["Location"].startswith("/accounts/2fa/verify/")
    assert other.post("/accounts/2fa/verify/", {"token": "12345", "next": "/supervision/"}).status_code == 400
    assert AuditEntry.objects.filter(action="signin.2fa_failed").count() == 1
    # django-otp's throttle: after a failure the next try waits 1 s
    time.sleep(1.1)
    resp = other.post("/accounts/2fa/verify/", {"token": totp(key, time.time() + 30), "next": "/supervision/"})
    assert resp.status_code == 302, resp.content.decode()[:300]
    assert other.get("/supervision/").status_code == 200


@pytest.mark.django_db
def test_admin_site_needs_the_second_factor_too():
    User.objects.create_user("root", password=PW, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    resp = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PW, "next": "/admin/"})
    assert resp.status_code == 302
    resp = client.get("/admin/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.django_db
def test_clerk_is_offered_but_not_required_and_once_enrolled_is_asked():
    user, client = _signed_in("clerk", Role.CLERK)
    assert client.get("/window/").status_code == 200
    client.get("/accounts/2fa/setup/")
    key = TOTPDevice.objects.get(user=user).bin_key
    assert client.post("/accounts/2fa/setup/", {"token": totp(key), "next": "/window/"}).status_code == 302
    later = Client()
    later.post("/accounts/login/", {"username": "clerk", "password": PW})
    assert later.get("/window/")["Location"].startswith("/accounts/2fa/verify/")


@pytest.mark.django_db
def test_applicants_are_not_asked():
    _user, client = _signed_in("citizen", Role.APPLICANT)
    assert client.get("/hall/").status_code == 200
    assert client.get("/accounts/2fa/setup/").status_code == 302  # staff only


@pytest.mark.django_db
def test_demo_switch_lets_the_demo_admin_through_outside_production(settings):
    settings.DEMO_NO_2FA = True
    _user, client = _signed_in("sup", Role.SUPERVISOR)
    assert client.get("/supervision/").status_code == 200


@pytest.mark.django_db
def test_demo_switch_lets_the_demo_users_through_despite_their_demo_device(settings):
    """`onewindow demo` gives admin and supervisor1 a TOTP device; ONEWINDOW_DEMO_NO_2FA=1 (README: skips
    the second factor) must still let them in without a code."""
    settings.DEMO_NO_2FA = True
    User.objects.create_user("admin", password=PW, role=Role.ADMIN)
    demo_devices()
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": PW})
    assert client.get("/stats/").status_code == 200


@pytest.mark.django_db
def test_demo_devices_use_the_published_key_and_the_totp_command_prints_its_code():
    User.objects.create_user("admin", password=PW, role=Role.ADMIN)
    User.objects.create_user("supervisor1", password=PW, role=Role.SUPERVISOR)
    demo_devices()
    demo_devices()  # idempotent
    assert TOTPDevice.objects.filter(name="demo").count() == 2
    import base64

    key = base64.b32decode(DEMO_KEY_BASE32)
    assert key == b"12345678901234567890"
    out = StringIO()
    before = totp(key)
    call_command("totp", "admin", stdout=out)
    assert out.getvalue().strip() in {before, totp(key)}
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": PW})
    assert client.post("/accounts/2fa/verify/", {"token": totp(key), "next": "/stats/"}).status_code == 302
    User.objects.create_user("real", password=PW, role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=User.objects.get(username="real"), name="phone", confirmed=True)
    with pytest.raises(Exception, match="no demo second-factor device"):
        call_command("totp", "real")
