"""Applicant registration with one-time SMS codes; login by phone."""

import re

import pytest

from onewindow.accounts.models import Role, User
from onewindow.cases.tests.factories import VALID_ID, VALID_USCC, at
from onewindow.portal.models import Outbox, SmsCode

PHONE = "13912345678"


def _code_from_outbox(phone=PHONE) -> str:
    msg = Outbox.objects.filter(to=phone, channel="sms").order_by("-id").first()
    return re.search(r"验证码为(\d{6})", msg.body).group(1)


def _person(code, **over):
    data = {"kind": "person", "phone": PHONE, "code": code, "password": "s3cret-pass", "password2": "s3cret-pass",
            "name": "王五", "id_number": VALID_ID}
    data.update(over)
    return data


@pytest.mark.django_db
def test_citizen_registers_with_sms_code_and_logs_in_by_phone(client):
    r = client.post("/accounts/register/code/", {"phone": PHONE})
    assert r.status_code == 200 and r.json() == {"sent": True}
    msg = Outbox.objects.get(to=PHONE)
    assert msg.channel == "sms" and msg.sent_at is not None and "【宿州市政务服务中心】" in msg.body
    code = _code_from_outbox()
    assert SmsCode.objects.get(phone=PHONE).digest != code and len(code) == 6  # stored hashed
    r = client.post("/accounts/register/", _person(code))
    assert r.status_code == 302 and r["Location"] == "/hall/"
    user = User.objects.get(phone=PHONE)
    assert (user.role, user.display_name, user.id_number, user.applicant_kind) == (
        Role.APPLICANT, "王五", VALID_ID, "person")
    client.logout()
    assert client.login(username=PHONE, password="s3cret-pass")
    # the code is single-use
    client.logout()
    r = client.post("/accounts/register/", _person(code, phone="13912345679"))
    assert r.status_code == 400


@pytest.mark.django_db
def test_phone_login_for_account_with_other_username(client):
    User.objects.create_user("zhangsan", password="demo12345", role=Role.APPLICANT, phone="13700000000")
    assert client.login(username="13700000000", password="demo12345")
    client.logout()
    assert not client.login(username="13700000000", password="wrong-pass")
    staff = User.objects.create_user("clerkx", password="demo12345", role=Role.CLERK, phone="13600000000")
    assert staff.pk and not client.login(username="13600000000", password="demo12345")


@pytest.mark.django_db
def test_bad_id_number_refused_in_chinese(client):
    client.post("/accounts/register/code/", {"phone": PHONE})
    r = client.post("/accounts/register/", _person(_code_from_outbox(), id_number="110102199101010079"))
    assert r.status_code == 400
    assert "身份证号码校验位错误" in r.content.decode()
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_enterprise_registers_by_uscc_and_bad_uscc_refused(client):
    client.post("/accounts/register/code/", {"phone": PHONE})
    code = _code_from_outbox()
    data = {"kind": "org", "phone": PHONE, "code": code, "password": "s3cret-pass", "password2": "s3cret-pass",
            "name": "宿州示例商贸有限公司", "legal_representative": "赵六", "uscc": "91340600MA2PBM9HXE"}
    r = client.post("/accounts/register/", data)
    assert r.status_code == 400 and "统一社会信用代码校验位错误" in r.content.decode()
    r = client.post("/accounts/register/", {**data, "uscc": VALID_USCC})
    assert r.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert (user.applicant_kind, user.uscc, user.legal_representative) == ("org", VALID_USCC, "赵六")


@pytest.mark.django_db
def test_wrong_code_refused_and_code_dies_after_five_failures(client):
    client.post("/accounts/register/code/", {"phone": PHONE})
    code = _code_from_outbox()
    wrong = "000000" if code != "000000" else "111111"
    r = client.post("/accounts/register/", _person(wrong))
    assert r.status_code == 400 and "短信验证码错误或已失效" in r.content.decode()
    for _ in range(4):
        client.post("/accounts/register/", _person(wrong))
    assert SmsCode.objects.get(phone=PHONE).failures == 5
    r = client.post("/accounts/register/", _person(code))  # right code, but burnt
    assert r.status_code == 400
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_expired_code_refused(client):
    with at(2026, 3, 2, 9, 0):
        client.post("/accounts/register/code/", {"phone": PHONE})
    code = _code_from_outbox()
    with at(2026, 3, 2, 9, 6):
        r = client.post("/accounts/register/", _person(code))
    assert r.status_code == 400


@pytest.mark.django_db
def test_sms_rate_limit_one_a_minute_five_an_hour(client):
    with at(2026, 3, 2, 9, 0):
        assert client.post("/accounts/register/code/", {"phone": PHONE}).status_code == 200
        r = client.post("/accounts/register/code/", {"phone": PHONE})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    for minute in (2, 4, 6, 8):
        with at(2026, 3, 2, 9, minute):
            assert client.post("/accounts/register/code/", {"phone": PHONE}).status_code == 200
    with at(2026, 3, 2, 9, 10):
        r = client.post("/accounts/register/code/", {"phone": PHONE})
    assert r.status_code == 429 and "上限" in r.json()["error"]["message"]
    # another phone is unaffected; after the hour the first one may ask again
    with at(2026, 3, 2, 9, 10):
        assert client.post("/accounts/register/code/", {"phone": "13912345670"}).status_code == 200
    with at(2026, 3, 2, 10, 1):
        assert client.post("/accounts/register/code/", {"phone": PHONE}).status_code == 200
    assert Outbox.objects.filter(to=PHONE).count() == 6


@pytest.mark.django_db
def test_bad_phone_refused(client):
    r = client.post("/accounts/register/code/", {"phone": "12345"})
    assert r.status_code == 400 and r.json()["error"]["fields"]["phone"]
    assert not Outbox.objects.exists()
