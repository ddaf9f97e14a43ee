"""Delivery by post (寄递送达) and 收受分离 through the API."""

import pytest

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import at, make_item
from onewindow.cases.tests.test_api import Api, _assert_error, _filing
from onewindow.catalog.models import Department
from onewindow.intake.models import Postal
from onewindow.regions.models import Region

from .helpers import intake_world

ADDRESS = {"method": "post", "address": "宿州市埇桥区汴河路1号", "recipient": "张三", "phone": "13800000001"}


def _concluded(w, **filing):
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        r = clerk.post("", _filing(item="SCJG-QR-0002", materials=["M01"], **filing))
        assert r.status_code == 201, r.content
        n = r.json()["number"]
        assert clerk.act(n, "accept").status_code == 200
        assert Api(w.approver).act(n, "decide", {"result": "approve"}).status_code == 200
    return n, r.json()["query_code"]


@pytest.mark.django_db
def test_post_chosen_at_filing_then_sent_and_received_shown_on_track(client):
    w = intake_world()
    clerk = Api(w.clerk)
    n, code = _concluded(w, delivery=ADDRESS)
    assert clerk.get(f"/{n}").json()["delivery"]["status"] == "requested"
    with at(2026, 3, 2, 11):
        events = CaseEvent.objects.filter(case__number=n).count()
        err = _assert_error(clerk.act(n, "deliver", {"method": "window", "waybill": "SF1234567890"}), 400, "not_postal")
        assert set(err["fields"]) == {"waybill"}
        err = _assert_error(clerk.act(n, "deliver", {"method": "post", "waybill": "SF1234567890"}), 400)
        assert set(err["fields"]) == {"courier"}
        assert Case.objects.get(number=n).state == "concluded"
        assert Postal.objects.get(case__number=n).state == "requested"
        assert CaseEvent.objects.filter(case__number=n).count() == events
        body = clerk.act(n, "deliver", {"method": "post", "courier": "中国邮政EMS", "waybill": "1190000000001"}).json()
    assert body["state"] == "delivered" and body["delivery_method"] == "post"
    d = body["delivery"]
    assert (d["address"], d["courier"], d["waybill"], d["status"]) == (ADDRESS["address"], "中国邮政EMS", "1190000000001", "sent")
    assert d["sent_at"].startswith("2026-03-02T11:00:00+08:00")
    track = client.get(f"/api/v1/track/{n}", {"code": code}).json()
    assert track["delivery"]["status"] == "sent" and track["delivery"]["waybill"] == "1190000000001"
    assert "address" not in track["delivery"]
    with at(2026, 3, 3, 15, 30):
        err = _assert_error(clerk.act(n, "delivery", {"status": "lost"}), 400)
        assert set(err["fields"]) == {"status"}
        body = clerk.act(n, "delivery", {"status": "received"}).json()
    assert body["delivery"]["status"] == "received" and body["delivery"]["received_at"].startswith("2026-03-03T15:30")
    page = client.get("/track/", {"number": n, "code": code}).content.decode()
    assert "已签收" in page and "1190000000001" in page
    with at(2026, 3, 3, 16):
        _assert_error(clerk.act(n, "delivery", {"status": "received"}), 409, "already_received")


@pytest.mark.django_db
def test_postal_fields_need_the_post_method_and_a_postal_status_needs_a_postal_delivery():
    w = intake_world()
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        err = _assert_error(clerk.post("", _filing(delivery={"method": "post"})), 400)
        assert set(err["fields"]) == {"address"}
        assert not Case.objects.exists()
    n, _code = _concluded(w)
    with at(2026, 3, 2, 11):
        err = _assert_error(clerk.act(n, "deliver", {"method": "post", "courier": "EMS", "waybill": "1"}), 400)
        assert set(err["fields"]) == {"address"}
        assert clerk.act(n, "deliver", {"method": "window"}).status_code == 200
        _assert_error(clerk.act(n, "delivery", {"status": "received"}), 409, "not_postal")


@pytest.mark.django_db
def test_received_here_handled_elsewhere(django_user_model):
    """收受分离: the city centre receives for a 合肥市 department; the number is the centre's, both sides show."""
    w = intake_world()
    province = Region.objects.create(code="340000", name="安徽省", level="province")
    hefei = Region.objects.create(code="340100", name="合肥市", level="city", parent=province)
    dept = Department.objects.create(code="HF-RS", name="合肥市人力资源和社会保障局", region=hefei)
    make_item("HF-QR-0001", dept, name="养老保险关系转移接续", committed=5, statutory=15,
              materials=[("M01", "转移接续申请表", True, None)])
    clerk = Api(w.clerk)
    with at(2026, 3, 2, 9):
        n = clerk.post("", _filing(item="HF-QR-0001", materials=["M01"])).json()["number"]
        body = clerk.act(n, "accept").json()
    assert n.startswith("341300")  # the receiving site's region code
    assert body["received_elsewhere"] is True
    assert body["receiving_site"] == {"code": "SZ-CENTRE", "name": "宿州市政务服务中心", "region": "341300"}
    assert body["handling_department"] == {"code": "HF-RS", "name": "合肥市人力资源和社会保障局", "region": "340100"}
    local = clerk.get(f"/{n}").json()
    assert local["received_elsewhere"] is True
    with at(2026, 3, 2, 9):
        own = clerk.post("", _filing(item="SCJG-QR-0002", materials=["M01"])).json()["number"]
    assert clerk.get(f"/{own}").json()["received_elsewhere"] is False


@pytest.mark.django_db
def test_both_sides_supervise_a_case_received_for_elsewhere():
    """A 合肥 department's case received at the 宿州 centre, overdue: the alert shows to the supervisor of
    宿州 (the receiving side) and to the supervisor of 合肥 (the handling side), not to a third city."""
    from onewindow.accounts.models import Role, User
    from onewindow.supervision import selectors as sup
    from onewindow.supervision import services as supervision

    w = intake_world()
    province = Region.objects.create(code="340000", name="安徽省", level="province")
    hefei = Region.objects.create(code="340100", name="合肥市", level="city", parent=province)
    huaibei = Region.objects.create(code="340600", name="淮北市", level="city", parent=province)
    dept = Department.objects.create(code="HF-RS", name="合肥市人社局", region=hefei)
    make_item("HF-QR-0001", dept, name="养老保险关系转移接续", committed=1, statutory=15,
              materials=[("M01", "申请表", True, None)])
    with at(2026, 3, 2, 9):
        n = Api(w.clerk).post("", _filing(item="HF-QR-0001", materials=["M01"])).json()["number"]
        Api(w.clerk).act(n, "accept")
    with at(2026, 3, 5, 9):
        supervision.sweep()
    hf = User.objects.create_user("hfsup", password="x", role=Role.SUPERVISOR, region=hefei)
    hb = User.objects.create_user("hbsup", password="x", role=Role.SUPERVISOR, region=huaibei)
    for user, sees in ((w.supervisor, True), (hf, True), (hb, False)):
        assert sup.open_alerts(user).filter(case__number=n, rule="deadline.red").exists() is sees, user.username
