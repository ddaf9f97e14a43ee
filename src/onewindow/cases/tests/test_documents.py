"""Printable documents through the API: the acceptance slip, the one-time notice, the rejection notice.

The PDFs are read back with pypdf; CJK text extracts only when the Noto CJK fonts were embedded.
"""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from onewindow.accounts.services import issue_token
from onewindow.cases import services
from onewindow.cases.tests.factories import at, make_world, person

BASE = "/api/v1/cases"


def _client(user):
    return Client(headers={"Authorization": f"Bearer {issue_token(user)}"})


def _text(resp) -> str:
    assert resp.status_code == 200, resp.content[:500]
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(resp.content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", "", text)  # CJK extraction may split lines or insert spaces


def _file(w, materials, when=(2026, 9, 29, 9)):
    with at(*when):
        return services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=materials, actor=w.clerk)


@pytest.mark.django_db
def test_slip_pdf_after_acceptance():
    w = make_world()
    w.clerk.display_name = "王小明"
    w.clerk.save()
    case = _file(w, ["M01", "M02", "M03"])
    with at(2026, 9, 29, 10):
        services.perform(case.number, "accept", w.clerk)
        resp = _client(w.clerk).get(f"{BASE}/{case.number}/slip.pdf")
    assert f'slip-{case.number}.pdf' in resp["Content-Disposition"]
    text = _text(resp)
    assert "受理通知书" in text
    assert case.number in text
    assert case.query_code in text
    # Accepted Tue 9/29, 5 working days: 9/30, 10/8, 10/9, 10/10 (make-up Sat), 10/12.
    assert "2026-10-12" in text
    assert "2026-09-29" in text  # 受理日期
    assert "王小明" in text
    assert "食品经营许可" in text and "张三" in text
    assert "食品经营许可申请书" in text and "经营场所平面图" in text
    # The applicant can download the same slip.
    assert case.number in _text(_client(w.citizen).get(f"{BASE}/{case.number}/slip.pdf"))


@pytest.mark.django_db
def test_slip_before_acceptance_is_409():
    w = make_world()
    case = _file(w, ["M01", "M02", "M03"])
    resp = _client(w.clerk).get(f"{BASE}/{case.number}/slip.pdf")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "no_slip"
    assert resp.json()["error"]["fields"] == {"state": "submitted"}


@pytest.mark.django_db
def test_slip_outside_scope_is_404():
    w = make_world()
    case = _file(w, ["M01", "M02", "M03"])
    with at(2026, 9, 29, 10):
        services.perform(case.number, "accept", w.clerk)
    assert _client(w.citizen2).get(f"{BASE}/{case.number}/slip.pdf").status_code == 404
    assert _client(w.police_reviewer).get(f"{BASE}/{case.number}/notice.pdf").status_code == 404
    assert Client().get(f"{BASE}/{case.number}/slip.pdf").status_code == 401


@pytest.mark.django_db
def test_notice_pdf_lists_each_missing_material_and_reason():
    w = make_world()
    case = _file(w, ["M01"])
    with at(2026, 9, 29, 10):
        services.perform(case.number, "notice", w.clerk, {
            "missing": ["M02", "M03"], "reasons": {"M03": "平面图未标注面积"}, "note": "请于十日内补正"})
    text = _text(_client(w.clerk).get(f"{BASE}/{case.number}/notice.pdf"))
    assert "一次性告知书" in text
    assert case.number in text and case.query_code in text
    assert "申请人身份证明" in text and "缺少该材料" in text  # M02 with the default reason
    assert "经营场所平面图" in text and "平面图未标注面积" in text
    assert "请于十日内补正" in text
    assert "不予受理" not in text


@pytest.mark.django_db
def test_notice_pdf_without_notice_is_409():
    w = make_world()
    case = _file(w, ["M01"])
    resp = _client(w.clerk).get(f"{BASE}/{case.number}/notice.pdf")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "no_notice"


@pytest.mark.django_db
def test_rejection_notice_pdf_contains_the_reason():
    w = make_world()
    case = _file(w, ["M01"])
    with at(2026, 9, 29, 10):
        services.perform(case.number, "reject", w.clerk, {"reason": "申请事项不属于本机关职权范围"})
    text = _text(_client(w.citizen).get(f"{BASE}/{case.number}/notice.pdf"))
    assert "不予受理通知书" in text
    assert "申请事项不属于本机关职权范围" in text
    assert case.number in text
    assert "一次性告知书" not in text


@pytest.mark.django_db
def test_result_pdf_names_decision_and_licence():
    w = make_world()
    case = _file(w, ["M01", "M02", "M03"])
    with at(2026, 9, 29, 10):
        services.perform(case.number, "accept", w.clerk)
    citizen = _client(w.citizen)
    assert citizen.get(f"/api/v1/cases/{case.number}/result.pdf").status_code == 409
    with at(2026, 10, 9, 10):
        services.perform(case.number, "review", w.reviewer, {"opinion": "同意"})
        services.perform(case.number, "decide", w.approver, {"result": "approve", "reason": "符合条件"})
    from onewindow.licences.models import Licence

    lic = Licence.objects.get(case_number=case.number)
    resp = citizen.get(f"/api/v1/cases/{case.number}/result.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = _text(resp)
    # Accepted 9/29, decided 10/9: 9/30, 10/8, 10/9 = 3 working days (10/1–10/7 off).
    for expected in ("准予决定书", case.number, "2026-10-09", lic.number, "办理用时3个工作日"):
        assert expected in text, expected
    assert _client(w.citizen2).get(f"/api/v1/cases/{case.number}/result.pdf").status_code == 404
