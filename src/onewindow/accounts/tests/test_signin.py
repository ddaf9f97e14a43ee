"""Sign-in throttling and lockout (django-axes + the growing delay), the attempts in the audit
chain, the password rule and the idle timeout. The clock is moved by ageing the stored attempts."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client

from onewindow.accounts.models import Role, User
from onewindow.audit.models import AuditEntry

PW = "Right-pass-2026"
DELAYS = {5: 15, 6: 30, 7: 60, 8: 120, 9: 240}  # seconds to wait after the nth failure


def _age(seconds):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def _login(username, password, path="/accounts/login/", addr="10.0.0.1", **extra):
    return Client(REMOTE_ADDR=addr).post(path, {"username": username, "password": password}, **extra)


def _signed_in(resp):
    return resp.status_code == 302 and "_auth_user_id" in resp.client.session


@pytest.fixture
def admin(db):
    return User.objects.create_user("admin", password=PW, role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_forty_wrong_passwords_at_the_admin_login_then_the_right_one_does_not_sign_in(admin, settings):
    """The attack of the issue: before axes the 41st attempt (right password) signed in."""
    settings.SIGNIN_DELAY_SECONDS = 600  # no delay may run out while a slow machine sends the 40
    statuses = [_login("admin", "wrong", "/admin/login/").status_code for _i in range(40)]
    assert statuses == [200] * 5 + [429] * 35  # from the 6th on: wait first
    resp = _login("admin", PW, "/admin/login/")
    assert resp.status_code == 429
    assert "登录失败次数过多" in resp.content.decode()
    assert not _signed_in(resp)
    assert AuditEntry.objects.filter(action="signin.failed").count() == 5
    assert AuditEntry.objects.filter(action="signin.locked").count() == 36


@pytest.mark.django_db
def test_growing_delay_from_the_fifth_failure_then_a_15_minute_lockout_and_its_release(admin):
    for _i in range(5):
        assert _login("admin", "wrong").status_code == 200
    # 5 failures: the next attempt, even with the right password, waits 15 s
    resp = _login("admin", PW)
    assert resp.status_code == 429 and not _signed_in(resp)
    body = resp.content.decode()
    assert "登录失败次数过多，请于" in body and "约 1 分钟后" in body
    assert 1 <= int(resp["Retry-After"]) <= 15
    # the refused attempt did not count: after the delay a wrong password is a plain failure again
    delays = {5: 15, 6: 30, 7: 60, 8: 120, 9: 240}
    for failures in range(5, 10):
        _age(delays[failures] - 10)
        assert _login("admin", "wrong").status_code == 429, failures  # still waiting (10 s before the end)
        _age(11)
        resp = _login("admin", "wrong")
        if failures < 9:
            assert resp.status_code == 200, failures
    # the 10th failure itself is answered with the lockout: 15 minutes from now
    assert resp.status_code == 429 and "约 15 分钟后" in resp.content.decode()
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 10
    resp = _login("admin", PW)
    assert resp.status_code == 429 and "约 15 分钟后" in resp.content.decode()
    _age(14 * 60)
    assert _login("admin", PW).status_code == 429
    _age(61)
    resp = _login("admin", PW)
    assert _signed_in(resp)


@pytest.mark.django_db
def test_lockout_is_per_account_from_any_address_and_per_address_for_any_account(admin):
    User.objects.create_user("clerk9", password=PW, role=Role.CLERK)
    for i in range(10):
        _login("admin", "wrong", addr=f"10.0.1.{i}")  # one try from each of ten addresses
        _age(DELAYS.get(i + 1, 0) + 1)
    assert _login("admin", PW, addr="10.0.2.1").status_code == 429  # the account is locked
    assert _signed_in(_login("clerk9", PW, addr="10.0.2.1"))  # another account there is not
    AccessAttempt.objects.all().delete()
    for i in range(10):
        _login(f"nobody{i}", "wrong", addr="10.0.3.3")  # ten accounts from one address
        _age(DELAYS.get(i + 1, 0) + 1)
    assert _login("clerk9", PW, addr="10.0.3.3").status_code == 429  # the address is locked
    assert _signed_in(_login("clerk9", PW, addr="10.0.3.4"))


@pytest.mark.django_db
def test_applicant_sign_in_by_mobile_number_is_throttled_too():
    User.objects.create_user("citizen", password=PW, role=Role.APPLICANT, phone="13800000001")
    for _i in range(5):
        assert _login("13800000001", "wrong").status_code == 200
    assert _login("13800000001", PW).status_code == 429
    _age(16)
    assert _signed_in(_login("13800000001", PW))
    # the mobile number is masked in the audit chain (and the log line)
    names = set(AuditEntry.objects.filter(action__startswith="signin.").values_list("object_id", flat=True))
    assert names == {"138****0001", "citizen"}


@pytest.mark.django_db
def test_attempts_are_in_the_audit_chain_with_the_client_address(admin, settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = "10.9.9.9"
    _login("admin", "wrong", addr="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    _login("admin", PW, addr="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")  # untrusted peer: header ignored
    rows = list(AuditEntry.objects.filter(action__startswith="signin.").order_by("seq")
                .values_list("action", "object_id", "after"))
    assert [(a, o, d["ip"]) for a, o, d in rows] == [
        ("signin.failed", "admin", "203.0.113.7"), ("signin.ok", "admin", "10.0.0.5")]


@pytest.mark.parametrize("password, ok", [
    ("Qz7rk2mw", True), ("short1", False), ("12345678901", False), ("abcdefghij", False), ("password1", False)])
def test_password_rule(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@pytest.mark.django_db
def test_staff_session_ends_after_the_idle_timeout_applicants_do_not(settings, monkeypatch):
    settings.STAFF_IDLE_MINUTES = 30
    clerk = User.objects.create_user("clerk", password=PW, role=Role.CLERK)
    citizen = User.objects.create_user("citizen", password=PW, role=Role.APPLICANT)
    staff, public = Client(), Client()
    staff.force_login(clerk)
    public.force_login(citizen)
    assert staff.get("/window/").status_code != 302
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real + 29 * 60)
    assert staff.get("/window/").status_code != 302  # 29 minutes: still signed in (and refreshed)
    monkeypatch.setattr(time, "time", lambda: real + 29 * 60 + 31 * 60)
    resp = staff.get("/window/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in staff.session
    assert public.get("/hall/").status_code == 200
