"""Operator recovery: `onewindow unlock` lifts a django-axes lock and `onewindow reset_2fa` removes a
lost authenticator; each names its operator and reason in an audit entry, and refuses without them."""

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.models import Role, User
from onewindow.audit.models import AuditEntry
from onewindow.regions.models import Region

PW = "Right-pass-2026"
pytestmark = pytest.mark.real_second_factor


def _fail(username, times, addr="10.0.0.1"):
    """One attempt record as axes keeps it: per user name, address and browser, with its failure count."""
    AccessAttempt.objects.create(username=username, ip_address=addr, user_agent="test", failures_since_start=times,
                                 get_data="", post_data="", http_accept="", path_info="/accounts/login/")


def _locked(username, addr="10.0.0.1") -> bool:
    resp = Client(REMOTE_ADDR=addr).post("/accounts/login/", {"username": username, "password": PW})
    return resp.status_code == 429


@pytest.mark.django_db
def test_unlock_a_locked_account_with_an_audit_entry():
    User.objects.create_user("clerk9", password=PW, role=Role.CLERK)
    _fail("clerk9", 10)
    _fail("someone_else", 10, addr="10.0.0.2")
    assert _locked("clerk9")
    with pytest.raises(CommandError, match="请写明原因"):
        call_command("unlock", "clerk9", operator="desk1", reason=" ")
    assert AccessAttempt.objects.filter(username="clerk9").exists()  # refused: nothing removed
    call_command("unlock", "clerk9", operator="desk1", reason="工单 2026-1207 电话核实")
    assert AccessAttempt.objects.filter(username="clerk9").count() == 0
    assert AccessAttempt.objects.filter(username="someone_else").exists()  # only that account
    assert not _locked("clerk9")
    entry = AuditEntry.objects.get(action="signin.unlock")
    assert entry.object_id == "clerk9" and entry.after["operator"] == "desk1" and entry.after["removed"] == 1
    assert entry.after["reason"] == "工单 2026-1207 电话核实"


@pytest.mark.django_db
def test_unlock_needs_a_name_or_an_address_and_can_release_an_address():
    with pytest.raises(CommandError, match="用户名或客户端地址"):
        call_command("unlock", operator="desk1", reason="厅内自助机地址被锁")
    _fail("a", 3, addr="203.0.113.7")
    _fail("b", 3, addr="203.0.113.7")
    _fail("c", 3, addr="198.51.100.1")
    call_command("unlock", address="203.0.113.7", operator="desk1", reason="厅内自助机地址被锁")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["c"]
    assert AuditEntry.objects.get(action="signin.unlock").object_type == "address"


@pytest.mark.django_db
def test_reset_second_factor_then_the_supervisor_enrols_again():
    region = Region.objects.create(code="341300", name="宿州市", level="city")
    user = User.objects.create_user("sup2", password=PW, role=Role.SUPERVISOR, region=region)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.post("/accounts/login/", {"username": "sup2", "password": PW})
    assert client.get("/supervision/")["Location"].startswith("/accounts/2fa/verify/")  # asks the lost phone
    with pytest.raises(CommandError, match="没有用户"):
        call_command("reset_2fa", "nobody", operator="desk1", reason="手机丢失，当面核验身份证")
    call_command("reset_2fa", "sup2", operator="desk1", reason="手机丢失，当面核验身份证")
    assert not TOTPDevice.objects.filter(user=user).exists()
    again = Client()
    again.post("/accounts/login/", {"username": "sup2", "password": PW})
    assert again.get("/supervision/")["Location"].startswith("/accounts/2fa/setup/")  # enrols a new one
    entry = AuditEntry.objects.get(action="twofactor.reset")
    assert entry.object_id == str(user.pk) and entry.before == {"devices": ["phone"]}
    assert entry.after["operator"] == "desk1"
