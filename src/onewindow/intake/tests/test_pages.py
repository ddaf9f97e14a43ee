"""The filing forms offer the intake choices: 告知承诺 and the delivery by post, at the window and in
the online hall; a refused choice re-renders the form and files nothing."""

import pytest

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import VALID_ID, at
from onewindow.intake.models import Commitment, Postal

from .helpers import intake_world


def _form(item="SCJG-XK-0001", **extra):
    return {"item": item, "kind": "person", "ident": VALID_ID, "name": "张三", "phone": "13800000001",
            "materials": ["M01", "M02"], **extra}


@pytest.mark.django_db
def test_window_files_a_commitment_case_with_post(client):
    w = intake_world()
    client.force_login(w.clerk)
    page = client.get("/window/", {"item": "SCJG-XK-0001"}).content.decode()
    assert 'name="commitment"' in page and w.item.commitment_text in page and 'name="delivery_address"' in page
    with at(2026, 3, 2, 9):
        r = client.post("/window/", _form(commitment="1", delivery_method="post", delivery_address="宿州市汴河路1号"))
    assert r.status_code == 302, r.content.decode()[:500]
    case = Case.objects.get()
    assert Commitment.objects.get(case=case).materials == ["M03"]
    assert Postal.objects.get(case=case).address == "宿州市汴河路1号"


@pytest.mark.django_db
def test_window_refuses_commitment_on_an_item_without_it(client):
    w = intake_world()
    client.force_login(w.clerk)
    assert 'name="commitment"' not in client.get("/window/", {"item": "GA-QR-0001"}).content.decode()
    with at(2026, 3, 2, 9):
        r = client.post("/window/", _form(item="GA-QR-0001", materials=["M01"], commitment="1"))
    assert r.status_code == 400 and "未实行告知承诺制" in r.content.decode()
    with at(2026, 3, 2, 9):
        r = client.post("/window/", _form(delivery_method="post"))
    assert r.status_code == 400 and "收件地址" in r.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_hall_applicant_chooses_post_and_sees_it(client):
    from onewindow.catalog.models import ItemVersion
    from onewindow.portal.tests.conftest import png_bytes
    from onewindow.portal.tests.helpers import upload

    w = intake_world()
    ItemVersion.objects.filter(pk=w.item.pk).update(online_depth="full")
    client.force_login(w.citizen)
    assert 'name="delivery_method"' in client.get("/hall/apply/SCJG-XK-0001/").content.decode()
    with at(2026, 3, 2, 9):
        r = client.post("/hall/apply/SCJG-XK-0001/", {
            "phone": "13800000001", "m_M01": upload("a.png", png_bytes()), "m_M02": upload("b.png", png_bytes()),
            "commitment": "1",
            "delivery_method": "post", "delivery_address": "宿州市埇桥区汴河路1号"})
    assert r.status_code == 302, r.content.decode()[:300]
    case = Case.objects.get()
    assert case.channel == "online" and Commitment.objects.filter(case=case).exists()
    page = client.get(f"/hall/cases/{case.number}/").content.decode()
    assert "宿州市埇桥区汴河路1号" in page and "待寄出" in page and "告知承诺" in page


@pytest.mark.django_db
def test_desk_lists_pending_verifications_for_the_department_only(client):
    from onewindow.cases.tests.test_api import Api, _filing

    w = intake_world()
    with at(2026, 9, 29, 9):
        n = Api(w.clerk).post("", _filing(materials=["M01", "M02"], commitment=True)).json()["number"]
        Api(w.clerk).act(n, "accept")
        Api(w.reviewer).act(n, "review", {"opinion": "同意"})
        Api(w.approver).act(n, "decide", {"result": "approve"})
    client.force_login(w.reviewer)
    page = client.get("/desk/").content.decode()
    assert "告知承诺待核查" in page and n in page and "2026-11-02" in page  # 20 working days after 9/29 (National Day off, 10/10 worked)
    client.force_login(w.police_reviewer)
    assert n not in client.get("/desk/").content.decode()
